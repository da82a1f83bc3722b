import Foundation
import KV
import KVTestSupport
import Platform
import TestSupport
import Testing

/// The built `announcer` binary beside a `TinyApp`, pointed at a store: what the end-to-end suites drive.
/// Everything it starts is stopped by PID in `stop()`, which tests call in `defer`.
final class AnnouncerHarness: Sendable {
    static let ttl: Int64 = 3
    static let interval = "0.3"

    let key: String
    let appPort: Int
    let directory: TemporaryDirectory
    let process: ChildProcess
    private let app: Locked<TinyApp?>

    /// Starts the app (healthy) and an announcer for it, by default with `--ttl 3 --interval 0.3`.
    init(
        stores: [String], instance: String = "1", ttl: Int64 = AnnouncerHarness.ttl,
        interval: String = AnnouncerHarness.interval, extra: [String] = []
    ) throws {
        directory = try TemporaryDirectory("announcer-e2e")
        let port = FreePort.next()
        appPort = port
        app = Locked(try TinyApp(port: port))
        key = "/services/web/web/web@\(instance)"
        process = try ChildProcess(
            BuiltProducts.path("announcer"),
            [
                "--app", "web", "--instance", instance, "--address", "127.0.0.1:\(port)", "--ttl", "\(ttl)",
                "--interval", interval,
            ] + stores.flatMap { ["--store", $0] } + extra,
            logPath: directory.file("announcer.log"))
    }

    var value: String { "127.0.0.1:\(appPort)" }

    /// Closes the app's port, as a crash would.
    func stopApp() { app.withLock { $0 }?.stop() }

    /// Opens the app's port again.
    func startApp() throws {
        let restarted = try TinyApp(port: appPort)
        app.withLock { $0 = restarted }
    }

    func stop() {
        process.kill9()
        stopApp()
        directory.remove()
    }

    /// Waits until the key holds this instance's value; returns it.
    func waitForKey(in store: any KVStore, timeout: Duration = .seconds(15)) async -> KeyValue? {
        let found = Locked<KeyValue?>(nil)
        _ = await eventually(timeout: timeout) {
            guard let kv = try await store.get(self.key), kv.valueString == self.value else { return false }
            found.withLock { $0 = kv }
            return true
        }
        return found.value
    }

    /// Waits until the key is gone.
    func waitForNoKey(in store: any KVStore, timeout: Duration = .seconds(15)) async -> Bool {
        await eventually(timeout: timeout) { try await store.get(self.key) == nil }
    }

    /// The announcer's log, for failure messages.
    var log: String { process.output }
}

/// One store the end-to-end scenarios run against, with what each scenario needs from it.
protocol StoreTarget: Sendable {
    var urls: [String] { get }
    var client: EtcdClient { get }
    func restart() async throws
    func stop()
}

extension StoreFixture: StoreTarget {
    var urls: [String] { [url] }
}

/// The scenarios of the issue, written once and run against the embedded store and real etcd.
enum EndToEnd {
    static func keyAppearsWithALeaseOfTheTTLAndFollowsTheApp(_ store: some StoreTarget) async throws {
        let harness = try AnnouncerHarness(stores: store.urls)
        defer { harness.stop() }
        let kv = try #require(await harness.waitForKey(in: store.client), "no key; log:\n\(harness.log)")
        let lease = try #require(kv.lease, "the key has no lease")
        let status = try await store.client.timeToLive(lease, keys: true)
        #expect(status.grantedTTL == AnnouncerHarness.ttl)
        #expect(status.keys == [Array(harness.key.utf8)])

        harness.stopApp()
        #expect(await harness.waitForNoKey(in: store.client), "key stayed after the app stopped; log:\n\(harness.log)")
        // The key goes first, then the lease is revoked and "deregistered" logged: after that line nothing lingers.
        let logged = await eventually(timeout: .seconds(5)) {
            harness.log.contains("msg=deregistered reason=unhealthy")
        }
        #expect(logged, "no deregistered line; log:\n\(harness.log)")
        await #expect(throws: KVError.self) { try await store.client.timeToLive(lease, keys: false) }

        try harness.startApp()
        #expect(await harness.waitForKey(in: store.client) != nil, "key not back; log:\n\(harness.log)")
        #expect(harness.process.isRunning)
        #expect(harness.log.contains("msg=\"app unhealthy\""))
        #expect(harness.log.contains("msg=deregistered reason=unhealthy"))
    }

    static func sigtermRemovesTheKeyAtOnceAndExits0(_ store: some StoreTarget) async throws {
        let harness = try AnnouncerHarness(stores: store.urls)
        defer { harness.stop() }
        let kv = try #require(await harness.waitForKey(in: store.client), "no key; log:\n\(harness.log)")
        // A SIGHUP first changes nothing: its default action would have ended the announcer, key left behind.
        harness.process.signal(SIGHUP)
        #expect(await eventually { harness.log.contains("msg=\"SIGHUP: nothing to read again; carrying on\"") })
        #expect(harness.process.isRunning)
        #expect(try await store.client.get(harness.key) != nil)
        harness.process.signal(SIGTERM)
        #expect(await harness.process.exitStatus(within: .seconds(5)) == 0, "log:\n\(harness.log)")
        // Gone when the process is: no waiting on a TTL.
        #expect(try await store.client.get(harness.key) == nil)
        await #expect(throws: KVError.self) { try await store.client.timeToLive(kv.lease ?? LeaseID(0), keys: false) }
        #expect(harness.log.contains("msg=deregistered reason=stopping"))
    }

    static func kill9LeavesTheKeyUntilItsLeaseRunsOut(_ store: some StoreTarget) async throws {
        let harness = try AnnouncerHarness(stores: store.urls)
        defer { harness.stop() }
        let kv = try #require(await harness.waitForKey(in: store.client), "no key; log:\n\(harness.log)")
        harness.process.kill9()
        // Nobody deleted it: it is still there right after the crash, and goes with the lease.
        #expect(try await store.client.get(harness.key) != nil)
        #expect(await harness.waitForNoKey(in: store.client, timeout: .seconds(20)))
        await #expect(throws: KVError.self) { try await store.client.timeToLive(kv.lease ?? LeaseID(0), keys: false) }
    }

    /// Against a durable store this shows the registration survives the outage (the store kept key and
    /// lease); against a store that lost everything (`MemoryOnlyStore`) it shows the announcer registers again.
    static func keyIsHeldUnderALiveLeaseAfterTheStoreRestarts(_ store: some StoreTarget) async throws {
        let harness = try AnnouncerHarness(stores: store.urls)
        defer { harness.stop() }
        #expect(await harness.waitForKey(in: store.client) != nil, "no key; log:\n\(harness.log)")
        try await store.restart()
        let kv = try #require(await harness.waitForKey(in: store.client), "key not back; log:\n\(harness.log)")
        // The key is held by a lease the store knows and the announcer renews.
        let lease = try #require(kv.lease)
        #expect(try await store.client.timeToLive(lease, keys: false).grantedTTL == AnnouncerHarness.ttl)
        #expect(harness.process.isRunning)
    }

    static func anotherOwnersKeyIsNotOverwritten(_ store: some StoreTarget) async throws {
        let other = try await store.client.grantLease(ttl: 60)
        let harness = try AnnouncerHarness(stores: store.urls, instance: "taken")
        defer { harness.stop() }
        try await store.client.put(harness.key, "10.9.9.9:80", lease: other.id)
        let logged = await eventually { harness.log.contains("key held by another owner") }
        #expect(logged, "log:\n\(harness.log)")
        #expect(try await store.client.get(harness.key)?.valueString == "10.9.9.9:80")
        // The other owner goes away: its lease takes the key with it, and the announcer moves in.
        try await store.client.revoke(other.id)
        #expect(await harness.waitForKey(in: store.client) != nil, "log:\n\(harness.log)")
    }
}
