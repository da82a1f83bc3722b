import Synchronization

/// Start, stop and an ordered group for a long-running command: parts start in order and stop in reverse
/// (the proxy before the store it reads, nginx after the sync that reloads it), and SIGTERM or SIGINT, or a
/// part that dies, ends the group. The one place the commands handle those signals (DESIGN rule 7).
///
/// Create it first thing: from then on a SIGTERM or SIGINT is an event, not the default exit, so a signal
/// that arrives while parts are still starting stops what has started instead of leaving it running.
package final class Lifecycle: Sendable {
    /// Why the group ended.
    package enum Ending: Sendable, Equatable, CustomStringConvertible {
        /// SIGTERM, SIGINT or SIGQUIT (its number).
        case signal(Int32)
        /// A part ended or failed by itself.
        case failed(part: String, reason: String)
        /// A part finished its work (a one-shot run) with this exit status.
        case finished(part: String, status: Int32)

        package var description: String {
            switch self {
            case .signal(let number):
                switch number {
                case Posix.SIGINT: "SIGINT"
                case Posix.SIGTERM: "SIGTERM"
                case Posix.SIGQUIT: "SIGQUIT"
                default: "signal \(number)"
                }
            case let .failed(part, reason): "\(part) failed: \(reason)"
            case let .finished(part, status): "\(part) finished with status \(status)"
            }
        }
    }

    private struct Part: Sendable {
        var name: String
        var stop: @Sendable () async -> Void
    }

    private struct State: Sendable {
        var parts: [Part] = []
        var reloadHandlers: [@Sendable () async -> Void] = []
    }

    private let log: Log
    private let signals: SignalEvents
    private let state = Mutex(State())
    private let endings: AsyncStream<Ending>
    private let endingsInput: AsyncStream<Ending>.Continuation
    private let forwarder: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// Starts observing `terminate` (SIGTERM, SIGINT and SIGQUIT, nginx's graceful stop) and `hangup` (SIGHUP)
    /// for `onReload`. A hangup never ends the group: left to its default action it would kill a proxy
    /// mid-request, and people send it out of habit (nginx reloads on it, logrotate and `ExecReload=` lines
    /// send it). Without a reload handler it is logged and otherwise ignored. Tests pass no signals, so the test
    /// process keeps its own dispositions.
    package init(
        log: Log, terminate: [Int32] = [Posix.SIGTERM, Posix.SIGINT, Posix.SIGQUIT],
        hangup: [Int32] = [Posix.SIGHUP]
    ) {
        self.log = log
        signals = SignalEvents(terminate: terminate, reload: hangup)
        (endings, endingsInput) = AsyncStream<Ending>.makeStream()
        let task = Task { [signals, endingsInput, log, weak self] in
            for await event in signals.events {
                switch event {
                case .terminate(let number):
                    endingsInput.yield(.signal(number))
                case .reload:
                    let handlers = self?.state.withLock({ $0.reloadHandlers }) ?? []
                    if handlers.isEmpty { log.info("SIGHUP: nothing to read again; carrying on") }
                    for handler in handlers { await handler() }
                }
            }
        }
        forwarder.withLock { $0 = task }
    }

    /// Starts a part and remembers how to stop it.
    /// - Throws: whatever `body` threw, after stopping the parts already started (last first); nothing of
    ///   this group is left running.
    package func start<Value: Sendable>(
        _ name: String, _ body: () async throws -> Value, stop: @escaping @Sendable (Value) async -> Void
    ) async throws -> Value {
        let value: Value
        do {
            value = try await body()
        } catch {
            await stopAll()
            throw error
        }
        add(name) { await stop(value) }
        return value
    }

    /// Registers how to stop something already running; it stops before everything registered earlier.
    package func add(_ name: String, stop: @escaping @Sendable () async -> Void) {
        state.withLock { $0.parts.append(Part(name: name, stop: stop)) }
    }

    /// Runs `handler` on each SIGHUP.
    package func onReload(_ handler: @escaping @Sendable () async -> Void) {
        state.withLock { $0.reloadHandlers.append(handler) }
    }

    /// Ends the group from inside: a part died or failed. `run()` then stops the others.
    package func fail(_ part: String, reason: String) {
        endingsInput.yield(.failed(part: part, reason: reason))
    }

    /// Ends the group from inside because a part is done (`router sync --onetime`). `run()` then stops the others.
    package func finish(_ part: String, status: Int32) {
        endingsInput.yield(.finished(part: part, status: status))
    }

    /// Waits for SIGTERM, SIGINT, `fail` or `finish`, then stops every part, last started first.
    /// - Returns: what ended the group.
    package func run() async -> Ending {
        var ending = Ending.signal(Posix.SIGTERM)
        for await first in endings {
            ending = first
            break
        }
        switch ending {
        case .signal, .finished: log.info("stopping", ["reason": ending.description])
        case .failed: log.error("stopping", ["reason": ending.description])
        }
        await stopAll()
        return ending
    }

    /// Stops every part once, last started first; later calls do nothing. Signals stay ignored afterwards.
    package func stopAll() async {
        let parts = state.withLock { state -> [Part] in
            defer { state.parts.removeAll() }
            return state.parts
        }
        for part in parts.reversed() {
            log.debug("stopping part", ["part": part.name])
            await part.stop()
        }
    }

    /// Stops observing signals; call when the command is about to return.
    package func close() {
        signals.cancel()
        endingsInput.finish()
        forwarder.withLock { task in
            task?.cancel()
            task = nil
        }
    }
}
