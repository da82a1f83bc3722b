import Foundation
import KV
import KVTestSupport
import Platform
import TestSupport
import Testing

/// The client contract over the wire: the same `EtcdClient` and the same assertions against `router store`
/// and real etcd 3.4, so whatever passes here behaves the same on both.
/// The two halves are separate suites, so a machine without etcd shows the etcd half as skipped.
enum ClientContract {
    private static func withStore(_ target: StoreUnderTest, _ body: (StoreFixture) async throws -> Void) async throws {
        let fixture = try await StoreFixture.start(target)
        defer { fixture.stop() }
        try await body(fixture)
    }

    static func keepsTheStoreContract(_ target: StoreUnderTest, _ check: KVContract.Check) async throws {
        try await withStore(target) { store in try await check.run(store.client, "/contract") }
    }

    static func leaseExpiryRemovesItsKeysAndWatchersSeeTheDelete(_ target: StoreUnderTest) async throws {
        try await withStore(target) { store in
            let client = store.client
            let lease = try await client.grantLease(ttl: 2)
            #expect(lease.ttl == 2)
            let revision = try await client.put("/expiry/a", "1", lease: lease.id)
            var events = client.watch(prefix: "/expiry/", from: revision).makeAsyncIterator()
            let first = try #require(try await events.next())
            #expect(first.events.map(\.kind) == [.put])
            // Real time: etcd checks expiry about every 0.5 s, so a 2 s TTL fires at 2.2–2.5 s.
            let second = try #require(try await events.next())
            #expect(second.events.map(\.kind) == [.delete])
            #expect(second.events.first?.kv.keyString == "/expiry/a")
            #expect(try await client.get("/expiry/a") == nil)
            await #expect(throws: KVError.self) { try await client.keepAlive(lease.id) }
        }
    }

    static func timeToLiveReportsGrantedTTLAndAttachedKeys(_ target: StoreUnderTest) async throws {
        try await withStore(target) { store in
            let client = store.client
            let lease = try await client.grantLease(ttl: 30)
            try await client.put("/ttl/a", "1", lease: lease.id)
            try await client.put("/ttl/b", "2", lease: lease.id)
            let status = try await client.timeToLive(lease.id, keys: true)
            #expect(status.grantedTTL == 30)
            #expect((28...30).contains(status.ttl))
            #expect(Set(status.keys.map { String(decoding: $0, as: UTF8.self) }) == ["/ttl/a", "/ttl/b"])
            #expect(try await client.keepAlive(lease.id) == 30)
            try await client.revoke(lease.id)
            #expect(try await client.list(prefix: "/ttl/").kvs.isEmpty)
            await #expect(throws: KVError.leaseNotFound(lease.id)) { try await client.revoke(lease.id) }
            await #expect(throws: KVError.leaseNotFound(lease.id)) {
                try await client.timeToLive(lease.id, keys: false)
            }
        }
    }

    static func putWithAnUnknownLeaseFailsAndWritesNothing(_ target: StoreUnderTest) async throws {
        try await withStore(target) { store in
            let client = store.client
            await #expect(throws: KVError.leaseNotFound(LeaseID(424_242))) {
                try await client.put("/nolease/a", "1", lease: LeaseID(424_242))
            }
            let stored = try await client.get("/nolease/a")
            #expect(stored == nil)
        }
    }

    static func grantingAnExistingLeaseIDFails(_ target: StoreUnderTest) async throws {
        try await withStore(target) { store in
            let lease = try await store.client.grantLease(ttl: 10, id: LeaseID(4242))
            #expect(lease.id == LeaseID(4242))
            await #expect(throws: KVError.leaseExists(LeaseID(4242))) {
                try await store.client.grantLease(ttl: 10, id: LeaseID(4242))
            }
        }
    }

    static func watchResumesAfterTheServerRestartsWithoutLosingOrRepeatingEvents(_ target: StoreUnderTest) async throws
    {
        try await withStore(target) { store in
            let client = store.client
            let start = try await client.put("/resume/0", "a")
            var events = client.watch(prefix: "/resume/", from: start).makeAsyncIterator()
            let first = try #require(try await events.next())
            #expect(first.events.map(\.kv.keyString) == ["/resume/0"])
            try await store.restart()
            var written: [String] = []
            for i in 1...3 {
                let key = "/resume/\(i)"
                // The first write after a restart may meet a member still starting: retry until it lands.
                let landed = await eventually(timeout: .seconds(20)) {
                    _ = try await client.put(key, "b")
                    return true
                }
                #expect(landed)
                written.append(key)
            }
            var seen: [String] = []
            while seen.count < written.count, let batch = try await events.next() {
                seen += batch.events.map(\.kv.keyString)
            }
            #expect(seen == written)
        }
    }

    static func watchFromACompactedRevisionEndsWithCompactedSoTheCallerCanResync(_ target: StoreUnderTest) async throws
    {
        try await withStore(target) { store in
            let client = store.client
            let first = try await client.put("/compact/a", "1")
            try await client.put("/compact/a", "2")
            let third = try await client.put("/compact/a", "3")
            try await client.compact(third)
            await #expect(throws: KVError.compacted(requested: first, compactRevision: third)) {
                _ = try await client.range(RangeRequest(.key("/compact/a"), revision: first))
            }
            var events = client.watch(prefix: "/compact/", from: first).makeAsyncIterator()
            do {
                _ = try await events.next()
                Issue.record("a watch from a compacted revision delivered events")
            } catch let KVError.compacted(requested, compactRevision) {
                #expect(requested == first)
                #expect(compactRevision == third)
            }
            // Resynchronising: read everything, then watch from the read's revision + 1.
            let now = try await client.list(prefix: "/compact/")
            #expect(now.kvs.map(\.valueString) == ["3"])
        }
    }

    static func rangeAtAPastRevisionSeesTheOldValue(_ target: StoreUnderTest) async throws {
        try await withStore(target) { store in
            let client = store.client
            let first = try await client.put("/past/a", "old")
            try await client.put("/past/a", "new")
            let old = try await client.range(RangeRequest(.key("/past/a"), revision: first))
            #expect(old.kvs.map(\.valueString) == ["old"])
            let current = try await client.list(prefix: "/past/")
            await #expect(throws: KVError.self) {
                _ = try await client.range(RangeRequest(.key("/past/a"), revision: current.revision + 100))
            }
        }
    }
}

@Suite(.serialized, .timeLimit(.minutes(3)))
struct RouterStoreClientContractTests {
    @Test(arguments: KVContract.checks)
    func keepsTheStoreContract(_ check: KVContract.Check) async throws {
        try await ClientContract.keepsTheStoreContract(.routerStore, check)
    }

    @Test func leaseExpiryRemovesItsKeysAndWatchersSeeTheDelete() async throws {
        try await ClientContract.leaseExpiryRemovesItsKeysAndWatchersSeeTheDelete(.routerStore)
    }

    @Test func timeToLiveReportsGrantedTTLAndAttachedKeys() async throws {
        try await ClientContract.timeToLiveReportsGrantedTTLAndAttachedKeys(.routerStore)
    }

    @Test func putWithAnUnknownLeaseFailsAndWritesNothing() async throws {
        try await ClientContract.putWithAnUnknownLeaseFailsAndWritesNothing(.routerStore)
    }

    @Test func grantingAnExistingLeaseIDFails() async throws {
        try await ClientContract.grantingAnExistingLeaseIDFails(.routerStore)
    }

    @Test func watchResumesAfterTheServerRestartsWithoutLosingOrRepeatingEvents() async throws {
        try await ClientContract.watchResumesAfterTheServerRestartsWithoutLosingOrRepeatingEvents(.routerStore)
    }

    @Test func watchFromACompactedRevisionEndsWithCompactedSoTheCallerCanResync() async throws {
        try await ClientContract.watchFromACompactedRevisionEndsWithCompactedSoTheCallerCanResync(.routerStore)
    }

    @Test func rangeAtAPastRevisionSeesTheOldValue() async throws {
        try await ClientContract.rangeAtAPastRevisionSeesTheOldValue(.routerStore)
    }
}

@Suite(
    .serialized, .timeLimit(.minutes(3)),
    // Debian's etcd-server; scripts/test installs it. Without it this half is reported as skipped, not passed.
    .enabled(if: EtcdCluster.binary != nil, "etcd is not installed"))
struct EtcdClientContractTests {
    @Test(arguments: KVContract.checks)
    func keepsTheStoreContract(_ check: KVContract.Check) async throws {
        try await ClientContract.keepsTheStoreContract(.etcd, check)
    }

    @Test func leaseExpiryRemovesItsKeysAndWatchersSeeTheDelete() async throws {
        try await ClientContract.leaseExpiryRemovesItsKeysAndWatchersSeeTheDelete(.etcd)
    }

    @Test func timeToLiveReportsGrantedTTLAndAttachedKeys() async throws {
        try await ClientContract.timeToLiveReportsGrantedTTLAndAttachedKeys(.etcd)
    }

    @Test func putWithAnUnknownLeaseFailsAndWritesNothing() async throws {
        try await ClientContract.putWithAnUnknownLeaseFailsAndWritesNothing(.etcd)
    }

    @Test func grantingAnExistingLeaseIDFails() async throws {
        try await ClientContract.grantingAnExistingLeaseIDFails(.etcd)
    }

    @Test func watchResumesAfterTheServerRestartsWithoutLosingOrRepeatingEvents() async throws {
        try await ClientContract.watchResumesAfterTheServerRestartsWithoutLosingOrRepeatingEvents(.etcd)
    }

    @Test func watchFromACompactedRevisionEndsWithCompactedSoTheCallerCanResync() async throws {
        try await ClientContract.watchFromACompactedRevisionEndsWithCompactedSoTheCallerCanResync(.etcd)
    }

    @Test func rangeAtAPastRevisionSeesTheOldValue() async throws {
        try await ClientContract.rangeAtAPastRevisionSeesTheOldValue(.etcd)
    }
}
