import KV

/// The announcer's lifecycle as a value: it takes events (a check result, a store outcome, a timer, a stop
/// request) with the time, and answers with actions (one store operation at a time, log-worthy changes,
/// exit). `Announcer` carries the actions out; Tests/AnnouncerTests/RegistrationTests.swift drives it by table.
///
/// It is a reconciler: after every event it compares what it wants (registered while the app is healthy
/// and no stop was asked, else nothing in the store) with what it believes the store holds, and picks the
/// next operation. A failed operation is not replayed blindly: after the backoff the same comparison runs
/// again on whatever is true by then, so an app that died during a store outage is deregistered, not renewed.
package struct Registration: Sendable {
    package struct Configuration: Sendable, Hashable {
        /// Lease TTL in seconds.
        package var ttl: Int64
        package var interval: Duration
        package var rise = 1
        package var fall = 1
        package var backoff = Backoff()
        /// Seeds the jitter of the backoff.
        package var seed: UInt64 = 0x5EED

        package init(ttl: Int64, interval: Duration) {
            self.ttl = ttl
            self.interval = interval
        }
    }

    /// One store operation; the driver runs exactly one at a time and reports its `Outcome`.
    package enum Operation: Sendable, Hashable {
        case grantLease(ttl: Int64)
        /// Read the key; write our value under `lease` if it is absent or already ours in value;
        /// leave another owner's live value alone (`Outcome.occupied`).
        case writeKey(LeaseID)
        case keepAlive(LeaseID)
        /// Delete the key only while it still carries `lease`.
        case deleteKey(LeaseID)
        case revoke(LeaseID)
    }

    package enum Outcome: Sendable, Hashable {
        case granted(LeaseID)
        /// The key now holds our value under our lease (created, restored or taken over).
        case written
        /// The key already held our value under our lease; nothing was written.
        case alreadyHeld
        /// Another owner's value, under a live lease (or none): not ours to overwrite.
        case occupied(value: String, lease: LeaseID?)
        case alive
        /// The store no longer knows the lease (it expired, was revoked, or the store lost it).
        case leaseGone
        case deleted
        case revoked
        /// The store could not be reached or answered with an error; retried after a backoff.
        case failed(String)
    }

    package enum Event: Sendable, Hashable {
        case checked(HealthResult)
        case completed(Outcome)
        /// The time asked for by `wakeAt` came.
        case timer
        /// SIGTERM or SIGINT: deregister and exit. Whatever was in flight has been abandoned.
        case terminate
    }

    /// A state change worth one log line.
    package enum Change: Sendable, Hashable {
        case unhealthy(String)
        case registered(lease: LeaseID, ttl: Int64, reason: String?)
        case deregistered(reason: String)
        case occupied(value: String, lease: LeaseID?)
        case storeLost(error: String, retryIn: Duration)
        case storeBack(failures: Int)
        /// A deregistration step failed while stopping; it is tried again until the stop budget runs out.
        case deregisterRetrying(error: String, retryIn: Duration)
        case stopped
    }

    package enum Action: Sendable, Hashable {
        case perform(Operation)
        case report(Change)
        case exit(Int32)
    }

    package let configuration: Configuration
    package private(set) var health: HealthThreshold
    /// The lease we hold in the store, as far as we know.
    package private(set) var lease: LeaseID?
    /// Whether the key holds our value under `lease`, as far as we know.
    package private(set) var keyHeld = false
    /// Whether a "registered" line was logged and no "deregistered" since.
    package private(set) var announced = false
    package private(set) var pending: Operation?
    /// Another owner's value last seen at the key.
    package private(set) var occupiedBy: String?
    /// Consecutive failed store operations.
    package private(set) var failures = 0
    /// No operation before this time (backoff after a failure).
    package private(set) var retryAt: Duration?
    package private(set) var stopping = false
    package private(set) var finished = false
    /// A healthy check came: renew the lease, then verify the key.
    private var refreshDue = false
    private var verifyDue = false
    /// Said in the next "registered" line: why we register again.
    private var reregisterReason: String?
    private var random: SplitMix64

    package init(_ configuration: Configuration) {
        self.configuration = configuration
        health = HealthThreshold(rise: configuration.rise, fall: configuration.fall)
        random = SplitMix64(seed: configuration.seed)
    }

    /// When the driver should send `.timer`: the end of a backoff, if one is running.
    package var wakeAt: Duration? { pending == nil && !finished ? retryAt : nil }

    /// Whether the store is being treated as unreachable.
    package var storeLost: Bool { failures > 0 }

    /// Takes one event at `now`; returns what to do, in order.
    package mutating func handle(_ event: Event, at now: Duration) -> [Action] {
        guard !finished else { return [] }
        var actions: [Action] = []
        switch event {
        case .checked(let result):
            if health.record(result.isHealthy) == .unhealthy { actions.append(.report(.unhealthy(result.detail))) }
            if health.verdict == .healthy && lease != nil { refreshDue = true }
        case .completed(let outcome):
            guard let operation = pending else { break }
            pending = nil
            actions += apply(outcome, of: operation, at: now)
        case .timer:
            break
        case .terminate:
            guard !stopping else { break }
            stopping = true
            retryAt = nil
            if case .writeKey? = pending {
                // It may have landed, and routers may route to it: delete to be sure, and say so.
                keyHeld = true
                announced = true
            }
            pending = nil
        }
        if !finished { actions += reconcile(at: now) }
        return actions
    }

    private mutating func apply(_ outcome: Outcome, of operation: Operation, at now: Duration) -> [Action] {
        if case .failed(let error) = outcome {
            failures += 1
            let delay = configuration.backoff.delay(
                afterFailures: failures, random: Double.random(in: 0..<1, using: &random))
            retryAt = now + delay
            if stopping {
                // One slow answer must not leave routers on a stopped app for a whole TTL: try again until
                // the announcer's stop budget runs out (it then exits 1 saying the lease will expire).
                return [.report(.deregisterRetrying(error: error, retryIn: delay))]
            }
            return failures == 1 ? [.report(.storeLost(error: error, retryIn: delay))] : []
        }
        var actions: [Action] = []
        if failures > 0 {
            actions.append(.report(.storeBack(failures: failures)))
            failures = 0
        }
        retryAt = nil
        switch (operation, outcome) {
        case (.grantLease, .granted(let id)):
            lease = id
            keyHeld = false
            refreshDue = false
        case (.writeKey(let id), .written):
            let vanished = keyHeld
            keyHeld = true
            verifyDue = false
            occupiedBy = nil
            if vanished { reregisterReason = "the key had vanished from the store" }
            if !announced || vanished || reregisterReason != nil {
                actions.append(.report(.registered(lease: id, ttl: configuration.ttl, reason: reregisterReason)))
                announced = true
                reregisterReason = nil
            }
        case (.writeKey(let id), .alreadyHeld):
            keyHeld = true
            verifyDue = false
            occupiedBy = nil
            if !announced {
                // An earlier write that timed out had landed: the key is ours and routers use it.
                actions.append(.report(.registered(lease: id, ttl: configuration.ttl, reason: nil)))
                announced = true
            }
        case (.writeKey, .occupied(let value, let owner)):
            keyHeld = false
            verifyDue = false
            if occupiedBy != value { actions.append(.report(.occupied(value: value, lease: owner))) }
            occupiedBy = value
            // The "occupied" line says we are out of rotation; the next write logs "registered" again.
            announced = false
        case (.keepAlive, .alive):
            refreshDue = false
            verifyDue = true
        case (.revoke, .revoked), (.revoke, .leaseGone):
            lease = nil
            keyHeld = false
            occupiedBy = nil
            actions += deregistered()
        case (_, .leaseGone):
            if lease != nil && !stopping && health.verdict == .healthy {
                reregisterReason = "the lease had expired in the store"
            }
            lease = nil
            keyHeld = false
            refreshDue = false
            verifyDue = false
            if stopping || health.verdict != .healthy { actions += deregistered() }
        case (.deleteKey, .deleted):
            keyHeld = false
        default:
            // An answer that does not fit the question (a driver bug): forget what we believed and re-check.
            keyHeld = false
            verifyDue = lease != nil
        }
        return actions
    }

    private mutating func deregistered() -> [Action] {
        guard announced else { return [] }
        announced = false
        return [.report(.deregistered(reason: stopping ? "stopping" : "unhealthy"))]
    }

    private mutating func reconcile(at now: Duration) -> [Action] {
        guard pending == nil else { return [] }
        if let retryAt, now < retryAt { return [] }
        let wanted = !stopping && health.verdict == .healthy
        let next: Operation?
        if wanted {
            if let lease {
                if refreshDue {
                    next = .keepAlive(lease)
                } else if verifyDue || (!keyHeld && occupiedBy == nil) {
                    next = .writeKey(lease)
                } else {
                    next = nil
                }
            } else {
                next = .grantLease(ttl: configuration.ttl)
            }
        } else if let lease {
            next = keyHeld ? .deleteKey(lease) : .revoke(lease)
        } else {
            next = nil
            if stopping {
                finished = true
                return [.report(.stopped), .exit(0)]
            }
        }
        guard let next else { return [] }
        pending = next
        return [.perform(next)]
    }
}
