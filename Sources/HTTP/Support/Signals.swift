import Dispatch
import Foundation

/// Turns SIGTERM, SIGINT and SIGHUP into async events, without a C signal handler.
///
/// The signals are ignored at the process level first so their default action (exit) does not run,
/// then observed through Dispatch sources (signalfd-like), which is safe in Swift 6.
// @unchecked: the only mutable state, the sources, is touched under `lock`.
package final class SignalEvents: @unchecked Sendable {
    package enum Event: Sendable, Equatable { case terminate(Int32), reload }

    package let events: AsyncStream<Event>
    private let lock = NSLock()
    private var sources: [DispatchSourceSignal]

    package init(terminate: [Int32] = [SIGTERM, SIGINT], reload: [Int32] = [SIGHUP]) {
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        events = stream
        let queue = DispatchQueue(label: "switchboard.signals")
        var made: [DispatchSourceSignal] = []
        for (signals, event) in [(terminate, true), (reload, false)] {
            for number in signals {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { continuation.yield(event ? .terminate(number) : .reload) }
                source.resume()
                made.append(source)
            }
        }
        sources = made
    }

    /// Waits for the first terminating signal.
    package func nextTermination() async -> Int32? {
        for await event in events {
            if case .terminate(let number) = event { return number }
        }
        return nil
    }

    /// Stops observing; the signals keep being ignored.
    package func cancel() {
        lock.lock()
        defer { lock.unlock() }
        for source in sources { source.cancel() }
        sources.removeAll()
    }
}
