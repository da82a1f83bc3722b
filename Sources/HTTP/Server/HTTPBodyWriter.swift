import Platform
import Synchronization

/// Writes the body of a streamed (chunked) response, such as a long-lived watch.
///
/// Every method is thread-safe; writes are queued to the connection's loop in call order (per thread).
package final class HTTPBodyWriter: Sendable {
    private struct State {
        var closed = false
        var callbacks: [@Sendable () -> Void] = []
    }

    private let connection: ServerConnection
    private let sequence: Int
    private let state = Mutex(State())

    init(connection: ServerConnection, sequence: Int) {
        self.connection = connection
        self.sequence = sequence
    }

    /// Sends `bytes` as one chunk; ignored once closed. A peer that stops reading until more than the
    /// server's `streamBufferLimit` is queued gets disconnected.
    package func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, !isClosed else { return }
        let sequence = sequence
        connection.onLoop { $0.streamWrite(sequence, bytes) }
    }

    /// Ends the body with the last chunk; the connection stays open for further requests.
    package func finish() {
        guard markClosed() else { return }
        let sequence = sequence
        connection.onLoop { $0.streamFinish(sequence) }
    }

    /// Whether writing is over: finished, the peer left or the server stopped.
    package var isClosed: Bool { state.withLock { $0.closed } }

    /// Runs `callback` once when the stream closes for any reason; right away if it already has.
    package func onClose(_ callback: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.closed { return true }
            state.callbacks.append(callback)
            return false
        }
        if runNow { callback() }
    }

    /// Marks the stream closed and runs the callbacks; returns false if it already was closed.
    @discardableResult
    func markClosed() -> Bool {
        let callbacks = state.withLock { state -> [@Sendable () -> Void]? in
            guard !state.closed else { return nil }
            state.closed = true
            defer { state.callbacks = [] }
            return state.callbacks
        }
        guard let callbacks else { return false }
        for callback in callbacks { callback() }
        return true
    }
}
