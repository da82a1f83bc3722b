import KV
import KVTestSupport
import Platform
import TestSupport
import Testing

struct RevisionTests {
    let fixture = LocalStores()

    @Test func aFreshStoreIsAtRevisionOne() async throws {
        let store = try fixture.open()
        defer { store.close() }
        #expect(store.currentRevision == 1)
        #expect(try await store.list(prefix: "").revision == 1)
        #expect(try await store.put("/a", "1") == 2)
    }

    @Test func aTransactionThatChangesNothingKeepsTheRevision() async throws {
        let store = try fixture.open()
        defer { store.close() }
        try await store.put("/a", "1")
        let result = try await store.txn(Txn(success: [.delete(DeleteRequest(.key("/missing")))]))
        #expect(result.revision == 2)
        #expect(store.currentRevision == 2)
        #expect(store.stats.revision == 2)
    }

    @Test func readsOutsideHistoryNameTheRevisions() async throws {
        let store = try fixture.open()
        defer { store.close() }
        for value in 1...4 { try await store.put("/a", "\(value)") }
        await #expect(throws: KVError.futureRevision(requested: 9, current: 5)) {
            try await store.range(RangeRequest(.key("/a"), revision: 9))
        }
        try await store.compact(4)
        await #expect(throws: KVError.compacted(requested: 3, compactRevision: 4)) {
            try await store.range(RangeRequest(.key("/a"), revision: 3))
        }
        await #expect(throws: KVError.compacted(requested: 4, compactRevision: 4)) { try await store.compact(4) }
        await #expect(throws: KVError.futureRevision(requested: 6, current: 5)) { try await store.compact(6) }
        #expect(try await store.range(RangeRequest(.key("/a"), revision: 4)).kvs.first?.valueString == "3")
    }

    @Test func oversizedAndMalformedRequestsAreRefusedWithoutWriting() async throws {
        let store = try fixture.open { $0.maxRequestBytes = 100 }
        defer { store.close() }
        let big = String(repeating: "x", count: 200)
        await #expect(throws: KVError.requestTooLarge(size: 202, limit: 100)) { try await store.put("/a", big) }
        await #expect(throws: KVError.invalidRequest("key is not provided")) { try await store.put("", "x") }
        await #expect(throws: KVError.invalidRequest("lease TTL must be positive, got 0")) {
            try await store.grantLease(ttl: 0)
        }
        #expect(store.currentRevision == 1)
    }

    @Test func historyBeyondTheRetentionIsCompactedAutomatically() async throws {
        let store = try fixture.open { $0.historyRetention = 20 }
        defer { store.close() }
        for value in 1...100 { try await store.put("/a", "\(value)") }
        let stats = store.stats
        #expect(stats.compactRevision > 60)
        #expect(stats.compactRevision <= 101 - 20 + 1)
        await #expect(throws: KVError.self) { try await store.range(RangeRequest(.key("/a"), revision: 10)) }
        let recent = try await store.range(RangeRequest(.key("/a"), revision: 90))
        #expect(recent.kvs.first?.valueString == "89")
    }

    @Test func statsCountWhatHappened() async throws {
        let store = try fixture.open()
        defer { store.close() }
        try await store.put("/a", "1")
        try await store.put("/b", "2")
        try await store.delete("/a")
        let lease = try await store.grantLease(ttl: 10)
        let stats = store.stats
        #expect(stats.keys == 1)
        #expect(stats.leases == 1)
        #expect(stats.puts == 2)
        #expect(stats.deletes == 1)
        #expect(stats.txns == 3)
        #expect(stats.revision == 4)
        try await store.revoke(lease.id)
    }
}
