import KV
import KVTestSupport
import Platform
import TestSupport
import Testing

struct LeaseExpiryTests {
    let fixture = LocalStores()

    @Test func anExpiredLeaseDeletesItsKeysAndEmitsDeletes() async throws {
        let store = try fixture.open()
        defer { store.close() }
        let lease = try await store.grantLease(ttl: 10)
        let put = try await store.put("/services/web/a/a@1", "127.0.0.1:8080", lease: lease.id)
        try await store.put("/services/web/a/a@2", "127.0.0.1:8081")
        let stream = store.watch(prefix: "/services/web/", from: put + 2)
        fixture.clock.advance(by: .seconds(9))
        #expect(try await store.get("/services/web/a/a@1") != nil)
        fixture.clock.advance(by: .seconds(1))
        #expect(try await store.get("/services/web/a/a@1") == nil)
        #expect(try await store.get("/services/web/a/a@2") != nil)
        let events = try await KVContract.collect(stream, count: 1)
        #expect(events.map(\.kind) == [.delete])
        #expect(events.first?.kv.keyString == "/services/web/a/a@1")
        #expect(events.first?.kv.modRevision == put + 2)
        await #expect(throws: KVError.leaseNotFound(lease.id)) { try await store.keepAlive(lease.id) }
    }

    @Test func keepAliveRenewsToTheFullTTL() async throws {
        let store = try fixture.open()
        defer { store.close() }
        let lease = try await store.grantLease(ttl: 10)
        try await store.put("/k", "v", lease: lease.id)
        fixture.clock.advance(by: .seconds(8))
        #expect(try await store.keepAlive(lease.id) == 10)
        fixture.clock.advance(by: .seconds(8))
        #expect(try await store.get("/k") != nil)
        fixture.clock.advance(by: .seconds(2))
        #expect(try await store.get("/k") == nil)
    }

    @Test func timeToLiveTruncatesToWholeSecondsLikeEtcd() async throws {
        let store = try fixture.open()
        defer { store.close() }
        let lease = try await store.grantLease(ttl: 10)
        #expect(try await store.timeToLive(lease.id, keys: false).ttl == 10)
        fixture.clock.advance(by: .milliseconds(3500))
        let status = try await store.timeToLive(lease.id, keys: false)
        #expect(status.ttl == 6)
        #expect(status.grantedTTL == 10)
    }

    @Test func leasesExpiringTogetherUseOneRevisionEach() async throws {
        let store = try fixture.open()
        defer { store.close() }
        let a = try await store.grantLease(ttl: 5)
        let b = try await store.grantLease(ttl: 5)
        try await store.put("/a", "1", lease: a.id)
        let last = try await store.put("/b", "2", lease: b.id)
        let emptyLease = try await store.grantLease(ttl: 5)
        fixture.clock.advance(by: .seconds(5))
        #expect(try await store.list(prefix: "/").count == 0)
        #expect(store.currentRevision == last + 2)
        await #expect(throws: KVError.leaseNotFound(emptyLease.id)) { try await store.revoke(emptyLease.id) }
        #expect(store.stats.leases == 0)
    }

    @Test func expiryWaitsForTheLogBeforeReadsShowIt() async throws {
        let dir = try TemporaryDirectory("kvtests")
        defer { dir.remove() }
        let store = try fixture.open(dataDir: dir.path)
        defer { store.close() }
        let lease = try await store.grantLease(ttl: 3)
        try await store.put("/k", "v", lease: lease.id)
        fixture.clock.advance(by: .seconds(3))
        #expect(try await store.get("/k") == nil)
        #expect(store.stats.walRecords == 3)
    }
}
