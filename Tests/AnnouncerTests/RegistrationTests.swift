import Announcer
import KV
import TestSupport
import Testing

/// The lifecycle, table-driven: each scenario feeds events at times on a `ManualClock` and lists the
/// exact actions expected after each one.
struct RegistrationTests {
    struct Step: Sendable {
        var advance: Duration = .zero
        var event: Registration.Event
        var expect: [Registration.Action]
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var rise = 1
        var fall = 1
        var steps: [Step]
        var testDescription: String { name }
    }

    static let lease = LeaseID(7)
    static let newLease = LeaseID(8)
    static let up = Registration.Event.checked(.healthy())
    static let down = Registration.Event.checked(.unhealthy("connect 127.0.0.1:8080: Connection refused"))
    static let unhealthy = Registration.Action.report(.unhealthy("connect 127.0.0.1:8080: Connection refused"))

    static func done(_ outcome: Registration.Outcome) -> Registration.Event { .completed(outcome) }
    static func perform(_ operation: Registration.Operation) -> Registration.Action { .perform(operation) }
    static func registered(_ lease: LeaseID = lease, reason: String? = nil) -> Registration.Action {
        .report(.registered(lease: lease, ttl: 3, reason: reason))
    }

    /// Steps that end registered under `lease`.
    static let register: [Step] = [
        Step(event: up, expect: [perform(.grantLease(ttl: 3))]),
        Step(event: done(.granted(lease)), expect: [perform(.writeKey(lease))]),
        Step(event: done(.written), expect: [registered()]),
    ]

    /// Steps that stop an announcer holding its key under `lease`: delete, revoke, say so, exit 0.
    static let stopHoldingKey: [Step] = [
        Step(event: .terminate, expect: [perform(.deleteKey(lease))]),
        Step(event: done(.deleted), expect: [perform(.revoke(lease))]),
        Step(
            event: done(.revoked),
            expect: [.report(.deregistered(reason: "stopping")), .report(.stopped), .exit(0)]),
    ]

    static let scenarios: [Scenario] = [
        Scenario(
            name: "registers only after the first healthy check",
            steps: [
                Step(event: down, expect: [unhealthy]),
                Step(advance: .seconds(1), event: down, expect: []),
            ] + register),
        Scenario(
            name: "renews the lease every healthy check and verifies the key without rewriting it",
            steps: register + [
                Step(advance: .seconds(1), event: up, expect: [perform(.keepAlive(lease))]),
                Step(event: done(.alive), expect: [perform(.writeKey(lease))]),
                Step(event: done(.alreadyHeld), expect: []),
                Step(advance: .seconds(1), event: up, expect: [perform(.keepAlive(lease))]),
            ]),
        Scenario(
            name: "puts the key back when it vanished but the lease lives",
            steps: register + [
                Step(advance: .seconds(1), event: up, expect: [perform(.keepAlive(lease))]),
                Step(event: done(.alive), expect: [perform(.writeKey(lease))]),
                Step(event: done(.written), expect: [registered(reason: "the key had vanished from the store")]),
            ]),
        Scenario(
            name: "registers again under a new lease when the store lost the old one",
            steps: register + [
                Step(advance: .seconds(1), event: up, expect: [perform(.keepAlive(lease))]),
                Step(event: done(.leaseGone), expect: [perform(.grantLease(ttl: 3))]),
                Step(event: done(.granted(newLease)), expect: [perform(.writeKey(newLease))]),
                Step(
                    event: done(.written),
                    expect: [registered(newLease, reason: "the lease had expired in the store")]),
            ]),
        Scenario(
            name: "a failed check deletes the key, then revokes the lease, and a passing one registers again",
            steps: register + [
                Step(advance: .seconds(1), event: down, expect: [unhealthy, perform(.deleteKey(lease))]),
                Step(event: done(.deleted), expect: [perform(.revoke(lease))]),
                Step(event: done(.revoked), expect: [.report(.deregistered(reason: "unhealthy"))]),
                Step(advance: .seconds(1), event: down, expect: []),
                Step(advance: .seconds(1), event: up, expect: [perform(.grantLease(ttl: 3))]),
                Step(event: done(.granted(newLease)), expect: [perform(.writeKey(newLease))]),
                Step(event: done(.written), expect: [registered(newLease)]),
            ]),
        Scenario(
            name: "with fall 2 one failed check still renews the key and two in a row remove it",
            fall: 2,
            steps: register + [
                Step(advance: .seconds(1), event: down, expect: [perform(.keepAlive(lease))]),
                Step(event: done(.alive), expect: [perform(.writeKey(lease))]),
                Step(event: done(.alreadyHeld), expect: []),
                Step(advance: .seconds(1), event: up, expect: [perform(.keepAlive(lease))]),
                Step(event: done(.alive), expect: [perform(.writeKey(lease))]),
                Step(event: done(.alreadyHeld), expect: []),
                Step(advance: .seconds(1), event: down, expect: [perform(.keepAlive(lease))]),
                Step(event: done(.alive), expect: [perform(.writeKey(lease))]),
                Step(event: done(.alreadyHeld), expect: []),
                Step(advance: .seconds(1), event: down, expect: [unhealthy, perform(.deleteKey(lease))]),
            ]),
        Scenario(
            name: "with rise 2 the first passing check is not enough",
            rise: 2,
            steps: [
                Step(event: up, expect: []),
                Step(advance: .seconds(1), event: down, expect: [unhealthy]),
                Step(advance: .seconds(1), event: up, expect: []),
                Step(advance: .seconds(1), event: up, expect: [perform(.grantLease(ttl: 3))]),
            ]),
        Scenario(
            name: "a lost store is logged once, retried with growing pauses, and welcomed back once",
            steps: [
                Step(event: up, expect: [perform(.grantLease(ttl: 3))]),
                Step(
                    event: done(.failed("connection refused")),
                    expect: [.report(.storeLost(error: "connection refused", retryIn: .milliseconds(100)))]),
                Step(advance: .milliseconds(50), event: .timer, expect: []),
                Step(advance: .milliseconds(50), event: .timer, expect: [perform(.grantLease(ttl: 3))]),
                Step(event: done(.failed("connection refused")), expect: []),
                Step(advance: .milliseconds(150), event: .timer, expect: []),
                Step(advance: .milliseconds(50), event: .timer, expect: [perform(.grantLease(ttl: 3))]),
                Step(
                    event: done(.granted(lease)),
                    expect: [.report(.storeBack(failures: 2)), perform(.writeKey(lease))]),
                Step(event: done(.written), expect: [registered()]),
            ]),
        Scenario(
            name: "a write that timed out but landed is found on the retry and reported registered, then deregistered",
            steps: [
                Step(event: up, expect: [perform(.grantLease(ttl: 3))]),
                Step(event: done(.granted(lease)), expect: [perform(.writeKey(lease))]),
                Step(
                    event: done(.failed("timed out")),
                    expect: [.report(.storeLost(error: "timed out", retryIn: .milliseconds(100)))]),
                Step(
                    advance: .milliseconds(100), event: .timer, expect: [perform(.writeKey(lease))]),
                Step(event: done(.alreadyHeld), expect: [.report(.storeBack(failures: 1)), registered()]),
            ] + stopHoldingKey),
        Scenario(
            name: "checks during a store outage wait for the backoff instead of adding calls",
            steps: register + [
                Step(advance: .seconds(1), event: up, expect: [perform(.keepAlive(lease))]),
                Step(
                    event: done(.failed("timed out")),
                    expect: [.report(.storeLost(error: "timed out", retryIn: .milliseconds(100)))]),
                Step(advance: .milliseconds(10), event: up, expect: []),
                Step(advance: .milliseconds(90), event: .timer, expect: [perform(.keepAlive(lease))]),
            ]),
        Scenario(
            name: "an app that died during a store outage is deregistered, not renewed, when the store is back",
            steps: register + [
                Step(advance: .seconds(1), event: up, expect: [perform(.keepAlive(lease))]),
                Step(
                    event: done(.failed("refused")),
                    expect: [.report(.storeLost(error: "refused", retryIn: .milliseconds(100)))]),
                Step(advance: .milliseconds(50), event: down, expect: [unhealthy]),
                Step(advance: .milliseconds(50), event: .timer, expect: [perform(.deleteKey(lease))]),
                Step(
                    event: done(.deleted),
                    expect: [.report(.storeBack(failures: 1)), perform(.revoke(lease))]),
                Step(event: done(.revoked), expect: [.report(.deregistered(reason: "unhealthy"))]),
            ]),
        Scenario(
            name: "a stop deletes the key, revokes the lease and exits 0",
            steps: register + stopHoldingKey + [Step(event: up, expect: [])]),
        Scenario(
            name: "a stop before anything was registered exits at once",
            steps: [
                Step(event: down, expect: [unhealthy]),
                Step(event: .terminate, expect: [.report(.stopped), .exit(0)]),
            ]),
        Scenario(
            // The write may have landed and routers may route to it: deleted, and logged as deregistered.
            name: "a stop while the key write is in flight still deletes the key and says so",
            steps: [
                Step(event: up, expect: [perform(.grantLease(ttl: 3))]),
                Step(event: done(.granted(lease)), expect: [perform(.writeKey(lease))]),
            ] + stopHoldingKey),
        Scenario(
            name: "a stop during a store outage tries at once, then again after a back-off until the store answers",
            steps: register + [
                Step(advance: .seconds(1), event: up, expect: [perform(.keepAlive(lease))]),
                Step(
                    event: done(.failed("refused")),
                    expect: [.report(.storeLost(error: "refused", retryIn: .milliseconds(100)))]),
                Step(event: .terminate, expect: [perform(.deleteKey(lease))]),
                Step(
                    event: done(.failed("refused")),
                    expect: [.report(.deregisterRetrying(error: "refused", retryIn: .milliseconds(200)))]),
                Step(event: .timer, expect: []),
                Step(advance: .seconds(1), event: .timer, expect: [perform(.deleteKey(lease))]),
                Step(event: done(.deleted), expect: [.report(.storeBack(failures: 2)), perform(.revoke(lease))]),
                Step(
                    event: done(.revoked),
                    expect: [.report(.deregistered(reason: "stopping")), .report(.stopped), .exit(0)]),
            ]),
        Scenario(
            name: "another owner's value is reported once and retried each interval until it is free",
            steps: [
                Step(event: up, expect: [perform(.grantLease(ttl: 3))]),
                Step(event: done(.granted(lease)), expect: [perform(.writeKey(lease))]),
                Step(
                    event: done(.occupied(value: "10.0.0.9:80", lease: LeaseID(99))),
                    expect: [.report(.occupied(value: "10.0.0.9:80", lease: LeaseID(99)))]),
                Step(advance: .seconds(1), event: up, expect: [perform(.keepAlive(lease))]),
                Step(event: done(.alive), expect: [perform(.writeKey(lease))]),
                Step(event: done(.occupied(value: "10.0.0.9:80", lease: LeaseID(99))), expect: []),
                Step(advance: .seconds(1), event: up, expect: [perform(.keepAlive(lease))]),
                Step(event: done(.alive), expect: [perform(.writeKey(lease))]),
                Step(event: done(.written), expect: [registered()]),
            ]),
        Scenario(
            name: "a check that lands while an operation is in flight starts nothing new",
            steps: [
                Step(event: up, expect: [perform(.grantLease(ttl: 3))]),
                Step(event: up, expect: []),
                Step(event: .timer, expect: []),
                Step(event: done(.granted(lease)), expect: [perform(.writeKey(lease))]),
            ]),
    ]

    @Test(arguments: scenarios)
    func lifecycle(_ scenario: Scenario) {
        let clock = ManualClock()
        var configuration = Registration.Configuration(ttl: 3, interval: .seconds(1))
        configuration.rise = scenario.rise
        configuration.fall = scenario.fall
        configuration.backoff = Backoff(first: .milliseconds(100), cap: .seconds(1), jitter: 0)
        var machine = Registration(configuration)
        for (index, step) in scenario.steps.enumerated() {
            clock.advance(by: step.advance)
            let actions = machine.handle(step.event, at: clock.now)
            #expect(actions == step.expect, "step \(index): \(step.event)")
        }
    }

    @Test func backoffDoublesFromItsFirstPauseUpToItsCap() {
        let backoff = Backoff(first: .milliseconds(100), cap: .seconds(1), jitter: 0)
        let pauses = (1...6).map { backoff.delay(afterFailures: $0, random: 0.9) }
        #expect(
            pauses == [
                .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1),
                .seconds(1),
            ])
    }

    @Test func jitterShortensAPauseByAtMostItsFraction() {
        let backoff = Backoff(first: .seconds(1), cap: .seconds(10), jitter: 0.5)
        #expect(backoff.delay(afterFailures: 1, random: 0) == .seconds(1))
        #expect(backoff.delay(afterFailures: 1, random: 1) == .milliseconds(500))
        #expect(backoff.delay(afterFailures: 100, random: 0.5) == .milliseconds(7500))
    }

    @Test func retriesAfterAFailureSpreadOverTheJitterRange() {
        var configuration = Registration.Configuration(ttl: 3, interval: .seconds(1))
        configuration.backoff = Backoff(first: .seconds(1), cap: .seconds(1), jitter: 0.5)
        var pauses: Set<Duration> = []
        for seed in 1...20 {
            configuration.seed = UInt64(seed)
            var machine = Registration(configuration)
            _ = machine.handle(Self.up, at: .seconds(100))
            let actions = machine.handle(.completed(.failed("refused")), at: .seconds(100))
            guard case .report(.storeLost(_, let pause))? = actions.first else {
                Issue.record("expected a store-lost report, got \(actions)")
                return
            }
            #expect(pause >= .milliseconds(500) && pause <= .seconds(1))
            pauses.insert(pause)
        }
        #expect(pauses.count > 10, "jitter should make announcers retry at different times")
    }

    @Test(arguments: [
        (1, 1, [true], [HealthThreshold.Verdict.healthy]),
        (1, 1, [false], [.unhealthy]),
        (2, 1, [true, true], [.unknown, .healthy]),
        (
            2, 3, [true, true, false, false, true, false, false, false],
            [
                .unknown, .healthy, .healthy, .healthy, .healthy, .healthy, .healthy, .unhealthy,
            ]
        ),
        (
            3, 1, [false, true, true, false, true, true, true],
            [
                .unhealthy, .unhealthy, .unhealthy, .unhealthy, .unhealthy, .unhealthy, .healthy,
            ]
        ),
    ])
    func thresholdChangesTheVerdictOnlyAfterEnoughResultsInARow(
        rise: Int, fall: Int, results: [Bool], verdicts: [HealthThreshold.Verdict]
    ) {
        var threshold = HealthThreshold(rise: rise, fall: fall)
        var seen: [HealthThreshold.Verdict] = []
        for result in results {
            _ = threshold.record(result)
            seen.append(threshold.verdict)
        }
        #expect(seen == verdicts)
    }
}
