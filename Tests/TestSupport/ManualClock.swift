import Platform
import Synchronization

/// A clock that moves only when told to.
package final class ManualClock: MonotonicClock {
    private let current = Mutex<Duration>(.zero)
    package init(start: Duration = .seconds(1000)) { current.withLock { $0 = start } }
    package var now: Duration { current.withLock { $0 } }
    /// Moves time forward.
    package func advance(by delta: Duration) { current.withLock { $0 += delta } }
}
