import Synchronization

/// A value and its lock kept together: hold it for a read or a swap, never across I/O.
package final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    package init(_ value: Value) { mutex = Mutex(value) }
    package func withLock<R: Sendable>(_ body: (inout Value) throws -> R) rethrows -> R {
        try mutex.withLock { try body(&$0) }
    }
    package var value: Value { mutex.withLock { $0 } }
}
