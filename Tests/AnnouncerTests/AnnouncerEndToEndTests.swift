import Foundation
import KV
import KVTestSupport
import Platform
import TestSupport
import Testing

/// The `announcer` binary against `router store`'s server (in process, durable in a temp dir).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct AnnouncerAgainstRouterStoreTests {
    @Test func keyAppearsAfterTheFirstHealthyCheckWithALeaseOfTheTTLAndFollowsTheApp() async throws {
        let store = try await StoreFixture.start(.routerStore)
        defer { store.stop() }
        try await EndToEnd.keyAppearsWithALeaseOfTheTTLAndFollowsTheApp(store)
    }

    @Test func sigtermRemovesTheKeyAtOnceAndExits0() async throws {
        let store = try await StoreFixture.start(.routerStore)
        defer { store.stop() }
        try await EndToEnd.sigtermRemovesTheKeyAtOnceAndExits0(store)
    }

    @Test func kill9LeavesTheKeyUntilItsLeaseRunsOut() async throws {
        let store = try await StoreFixture.start(.routerStore)
        defer { store.stop() }
        try await EndToEnd.kill9LeavesTheKeyUntilItsLeaseRunsOut(store)
    }

    @Test func restartedDurableStoreStillHoldsTheKeyUnderALiveLease() async throws {
        let store = try await StoreFixture.start(.routerStore)
        defer { store.stop() }
        try await EndToEnd.keyIsHeldUnderALiveLeaseAfterTheStoreRestarts(store)
    }

    @Test func aStoreThatLostEverythingGetsTheKeyBackUnderANewLease() async throws {
        let store = try MemoryOnlyStore()
        defer { store.stop() }
        try await EndToEnd.keyIsHeldUnderALiveLeaseAfterTheStoreRestarts(store)
    }

    @Test func anotherOwnersLiveKeyIsNotOverwritten() async throws {
        let store = try await StoreFixture.start(.routerStore)
        defer { store.stop() }
        try await EndToEnd.anotherOwnersKeyIsNotOverwritten(store)
    }

    @Test func anUnreachableStoreIsLoggedOnceAndTheStopStillExitsPromptly() async throws {
        let port = FreePort.next()
        let harness = try AnnouncerHarness(stores: ["http://127.0.0.1:\(port)"])
        defer { harness.stop() }
        #expect(await eventually { harness.log.contains("msg=\"store lost\"") }, "log:\n\(harness.log)")
        harness.process.signal(SIGTERM)
        // Nothing was ever registered, so there is nothing to clean up: a clean exit.
        #expect(await harness.process.exitStatus(within: .seconds(5)) == 0, "log:\n\(harness.log)")
        #expect(harness.log.components(separatedBy: "msg=\"store lost\"").count == 2, "log:\n\(harness.log)")
    }
}

/// The same scenarios against real etcd 3.4 (`etcd-server`; scripts/test installs it).
@Suite(
    .serialized, .timeLimit(.minutes(2)),
    .enabled(if: EtcdCluster.binary != nil, "etcd is not installed (scripts/test installs etcd-server)"))
struct AnnouncerAgainstEtcdTests {
    @Test func keyAppearsAfterTheFirstHealthyCheckWithALeaseOfTheTTLAndFollowsTheApp() async throws {
        let store = try await StoreFixture.start(.etcd)
        defer { store.stop() }
        try await EndToEnd.keyAppearsWithALeaseOfTheTTLAndFollowsTheApp(store)
    }

    @Test func sigtermRemovesTheKeyAtOnceAndExits0() async throws {
        let store = try await StoreFixture.start(.etcd)
        defer { store.stop() }
        try await EndToEnd.sigtermRemovesTheKeyAtOnceAndExits0(store)
    }

    @Test func kill9LeavesTheKeyUntilItsLeaseRunsOut() async throws {
        let store = try await StoreFixture.start(.etcd)
        defer { store.stop() }
        try await EndToEnd.kill9LeavesTheKeyUntilItsLeaseRunsOut(store)
    }

    @Test func restartedDurableStoreStillHoldsTheKeyUnderALiveLease() async throws {
        let store = try await StoreFixture.start(.etcd)
        defer { store.stop() }
        try await EndToEnd.keyIsHeldUnderALiveLeaseAfterTheStoreRestarts(store)
    }

    @Test func anotherOwnersLiveKeyIsNotOverwritten() async throws {
        let store = try await StoreFixture.start(.etcd)
        defer { store.stop() }
        try await EndToEnd.anotherOwnersKeyIsNotOverwritten(store)
    }

    @Test func registrationSurvivesLosingTheMemberTheAnnouncerUsed() async throws {
        let cluster = try await EtcdCluster(size: 3)
        defer { cluster.stop() }
        // The test reads through the members that stay up, so its own reads never need the dead one.
        var configuration = EtcdClient.Configuration(
            endpoints: try EtcdClient.endpoints(from: Array(cluster.endpoints.dropFirst())))
        configuration.requestTimeout = .seconds(3)
        let client = try EtcdClient(configuration: configuration, log: Log(component: "test", level: .error))
        defer { client.close() }
        // The announcer prefers the first endpoint: member 0 is the one it uses. etcd reports a lease's time
        // left in whole seconds, so renewals 1.5 s apart are what makes a renewal visible as a climb.
        let harness = try AnnouncerHarness(stores: cluster.endpoints, ttl: 4, interval: "1.5")
        defer { harness.stop() }
        #expect(await harness.waitForKey(in: client) != nil, "no key; log:\n\(harness.log)")

        cluster.kill(0)

        // Renewals reach the survivors: the remaining TTL of the key's lease drops and then climbs back.
        let lowest = Locked<Int64>(.max)
        let renewed = await eventually(timeout: .seconds(20)) {
            guard let lease = try await client.get(harness.key)?.lease else { return false }
            let left = try await client.timeToLive(lease, keys: false).ttl
            return lowest.withLock { low in
                defer { low = min(low, left) }
                return left > low
            }
        }
        #expect(renewed, "no renewal seen after member 0 died; log:\n\(harness.log)")
        // And the whole cycle still works through them.
        harness.stopApp()
        #expect(await harness.waitForNoKey(in: client), "log:\n\(harness.log)")
        try harness.startApp()
        #expect(await harness.waitForKey(in: client) != nil, "log:\n\(harness.log)")
    }
}

/// The embedded store kept in memory only: a restart loses every key and lease, as a wiped store would.
final class MemoryOnlyStore: StoreTarget {
    let port = FreePort.next()
    let client: EtcdClient
    private let server: Locked<StoreServer?>

    init() throws {
        server = Locked(try MemoryOnlyStore.start(port: port))
        client = try EtcdClient(
            configuration: EtcdClient.Configuration(
                endpoints: try EtcdClient.endpoints(from: ["http://127.0.0.1:\(port)"])),
            log: Log(component: "test", level: .error))
    }

    var urls: [String] { ["http://127.0.0.1:\(port)"] }

    func restart() async throws {
        server.withLock { $0 }?.stop()
        let restarted = try MemoryOnlyStore.start(port: port)
        server.withLock { $0 = restarted }
    }

    func stop() {
        client.close()
        server.withLock { $0 }?.stop()
    }

    private static func start(port: Int) throws -> StoreServer {
        var configuration = StoreServer.Configuration()
        configuration.port = port
        configuration.threads = 1
        return try StoreServer.start(configuration, log: Log(component: "store", level: .error))
    }
}
