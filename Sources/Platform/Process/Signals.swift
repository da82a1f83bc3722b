import Dispatch
import Synchronization

/// Turns SIGTERM, SIGINT, SIGQUIT and SIGHUP into async events, without a C signal handler.
///
/// The signals are ignored at the process level first so their default action (exit) does not run,
/// then observed through Dispatch sources (signalfd-like), which is safe in Swift 6.
package final class SignalEvents: Sendable {
    package enum Event: Sendable, Equatable { case terminate(Int32), reload }

    package let events: AsyncStream<Event>
    private let sources: Mutex<[DispatchSourceSignal]>

    package init(
        terminate: [Int32] = [Posix.SIGTERM, Posix.SIGINT, Posix.SIGQUIT], reload: [Int32] = [Posix.SIGHUP]
    ) {
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        events = stream
        let queue = DispatchQueue(label: "switchboard.signals")
        var made: [DispatchSourceSignal] = []
        for (signals, event) in [(terminate, true), (reload, false)] {
            for number in signals {
                Posix.ignore(signal: number)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { continuation.yield(event ? .terminate(number) : .reload) }
                source.resume()
                made.append(source)
            }
        }
        sources = Mutex(made)
    }

    /// Stops observing; the signals keep being ignored.
    package func cancel() {
        sources.withLock { sources in
            for source in sources { source.cancel() }
            sources.removeAll()
        }
    }
}
