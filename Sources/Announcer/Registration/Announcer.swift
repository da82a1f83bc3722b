import KV
import Platform

/// Runs one registration: probes the app every interval, feeds `Registration`, carries out its operations
/// one at a time and logs its changes. `terminate()` (SIGTERM) deregisters and ends `run()`.
package final class Announcer: Sendable {
    package struct Configuration: Sendable {
        /// `<prefix>/<app>/<app>@<instance>`.
        package var key: String
        /// `HOST:PORT`.
        package var value: String
        package var registration: Registration.Configuration
        /// How long a stop may spend deregistering before the process gives up and exits.
        /// Well inside systemd's and fleet's stop timeouts, yet long enough that a store slowed by load still
        /// sees the delete: giving up early leaves routers sending traffic to a stopped app until the TTL runs out.
        package var stopBudget: Duration = .seconds(5)

        package init(key: String, value: String, registration: Registration.Configuration) {
            self.key = key
            self.value = value
            self.registration = registration
        }
    }

    private enum Signal: Sendable {
        case tick
        case checked(HealthResult)
        /// Numbered, so the answer of an operation abandoned at stop is not taken for the next one's.
        case completed(Int, Registration.Outcome)
        case wake
        case terminate
        case deadline
    }

    package let configuration: Configuration
    private let healthCheck: any HealthCheck
    private let store: RegistrationStore
    private let clock: any MonotonicClock
    private let log: Log
    private let signals: AsyncStream<Signal>
    private let continuation: AsyncStream<Signal>.Continuation

    package init(
        configuration: Configuration, check: any HealthCheck, store: any KVStore,
        clock: any MonotonicClock = SystemClock(), log: Log
    ) {
        self.configuration = configuration
        self.healthCheck = check
        self.store = RegistrationStore(store: store, key: configuration.key, value: configuration.value)
        self.clock = clock
        self.log = log.with("key", configuration.key)
        (signals, continuation) = AsyncStream<Signal>.makeStream()
    }

    /// Asks `run()` to deregister and return; safe from any thread, any number of times.
    package func terminate() { continuation.yield(.terminate) }

    /// Runs until `terminate()`.
    /// - Returns: 0 when the key and lease were removed (or never written), 1 when the store could not be told
    ///   in time (the key then goes when its lease expires).
    package func run() async -> Int32 {
        var machine = Registration(configuration.registration)
        let continuation = self.continuation
        let interval = configuration.registration.interval
        let ticker = Task {
            let clock = ContinuousClock()
            var next = clock.now
            while !Task.isCancelled {
                continuation.yield(.tick)
                next += interval
                try? await Task.sleep(until: next, clock: clock)
            }
        }
        var checking: Task<Void, Never>?
        var waker: (at: Duration, task: Task<Void, Never>)?
        var operation: (number: Int, task: Task<Void, Never>)?
        var operationCount = 0
        var deadline: Task<Void, Never>?
        defer {
            ticker.cancel()
            checking?.cancel()
            waker?.task.cancel()
            operation?.task.cancel()
            deadline?.cancel()
        }

        for await signal in signals {
            let now = clock.now
            var actions: [Registration.Action] = []
            switch signal {
            case .tick:
                guard checking == nil, !machine.stopping else { continue }
                let check = healthCheck
                checking = Task { continuation.yield(.checked(await check.check())) }
            case .checked(let result):
                checking = nil
                guard !machine.stopping else { continue }
                if !result.isHealthy { log.debug("check failed", ["reason": result.detail]) }
                actions = machine.handle(.checked(result), at: now)
            case .completed(let number, let outcome):
                guard number == operation?.number else { continue }
                operation = nil
                actions = machine.handle(.completed(outcome), at: now)
            case .wake:
                waker = nil
                actions = machine.handle(.timer, at: now)
            case .terminate:
                guard !machine.stopping else { continue }
                log.info("stopping: deregistering")
                ticker.cancel()
                checking?.cancel()
                operation?.task.cancel()
                operation = nil
                let budget = configuration.stopBudget
                deadline = Task {
                    try? await Task.sleep(for: budget)
                    continuation.yield(.deadline)
                }
                actions = machine.handle(.terminate, at: now)
            case .deadline:
                log.error(
                    "could not deregister in time; the key goes when its lease expires",
                    ["budget": budget(configuration.stopBudget), "ttl": "\(configuration.registration.ttl)s"])
                return 1
            }
            for action in actions {
                switch action {
                case .perform(let request):
                    operationCount += 1
                    let number = operationCount
                    let store = self.store
                    operation = (number, Task { continuation.yield(.completed(number, await store.perform(request))) })
                    log.trace("store operation", ["operation": "\(request)"])
                case .report(let change):
                    report(change)
                case .exit(let status):
                    return status
                }
            }
            if let at = machine.wakeAt, waker?.at != at {
                waker?.task.cancel()
                let delay = at - now
                waker = (
                    at,
                    Task {
                        guard (try? await Task.sleep(for: delay)) != nil else { return }
                        continuation.yield(.wake)
                    }
                )
            }
        }
        return 0
    }

    private func budget(_ duration: Duration) -> String { duration.secondsText }

    private func report(_ change: Registration.Change) {
        switch change {
        case let .unhealthy(reason):
            log.warning("app unhealthy", ["reason": reason])
        case let .registered(lease, ttl, reason):
            var fields = ["lease": "\(lease)", "ttl": "\(ttl)s", "value": configuration.value]
            if let reason { fields["reason"] = reason }
            log.info("registered", fields)
        case let .deregistered(reason):
            log.info("deregistered", ["reason": reason])
        case let .occupied(value, lease):
            log.warning(
                "key held by another owner; waiting for it to go",
                ["owner_value": value, "owner_lease": lease.map { "\($0)" } ?? "none"])
        case let .storeLost(error, retryIn):
            log.warning("store lost", ["error": error, "retry_in": retryIn.secondsText])
        case let .storeBack(failures):
            log.info("store back", ["failed_attempts": "\(failures)"])
        case let .deregisterRetrying(error, retryIn):
            log.warning("could not deregister yet; retrying", ["error": error, "retry_in": retryIn.secondsText])
        case .stopped:
            log.info("stopped")
        }
    }
}
