import KV
import Platform
import TestSupport
import Testing

/// The watch and lease checks of the store contract (see `KVContract`).
extension KVContract {
    package static func watchFromRevisionReplays(_ store: any KVStore, prefix: String) async throws {
        let first = try await store.put("\(prefix)/w/a", "1")
        try await store.put("\(prefix)/w/b", "2")
        try await store.put("\(prefix)/elsewhere", "x")
        try await store.delete("\(prefix)/w/a")
        let events = try await collect(store.watch(prefix: "\(prefix)/w/", from: first), count: 3)
        #expect(events.map(\.kind) == [.put, .put, .delete])
        #expect(events.map(\.kv.keyString) == ["\(prefix)/w/a", "\(prefix)/w/b", "\(prefix)/w/a"])
        #expect(events.map(\.kv.modRevision) == [first, first + 1, first + 3])
        #expect(events[2].kv.value.isEmpty)
        #expect(events[2].kv.version == 0)
    }

    package static func watchSeesLiveEventsWithPrevKV(_ store: any KVStore, prefix: String) async throws {
        let start = try await store.put("\(prefix)/live/seed", "0")
        let stream = store.watch(WatchRequest(.prefix("\(prefix)/live/"), from: start + 1, prevKV: true))
        try await store.put("\(prefix)/live/k", "1")
        try await store.put("\(prefix)/live/k", "2")
        try await store.delete("\(prefix)/live/k")
        let events = try await collect(stream, count: 3)
        #expect(events.map(\.kind) == [.put, .put, .delete])
        #expect(events.map(\.kv.modRevision) == [start + 1, start + 2, start + 3])
        #expect(events[0].prevKV == nil)
        #expect(events[1].prevKV?.valueString == "1")
        #expect(events[2].prevKV?.valueString == "2")
    }

    /// Compacts the store.
    package static func watchAfterCompactionIsToldCompacted(_ store: any KVStore, prefix: String) async throws {
        let first = try await store.put("\(prefix)/gone", "1")
        let second = try await store.put("\(prefix)/gone", "2")
        try await store.compact(second)
        do {
            _ = try await collect(store.watch(prefix: "\(prefix)/gone", from: first), count: 1)
            Issue.record("a watch from a compacted revision delivered events")
        } catch KVError.compacted(let requested, let compactRevision) {
            #expect(requested == first)
            #expect(compactRevision >= second)
        }
        await #expect(throws: KVError.self) { try await store.compact(first) }
    }

    package static func leaseRevokeDeletesKeys(_ store: any KVStore, prefix: String) async throws {
        let lease = try await store.grantLease(ttl: 60)
        #expect(lease.ttl == 60)
        let first = try await store.put("\(prefix)/lease/a", "1", lease: lease.id)
        try await store.put("\(prefix)/lease/b", "2", lease: lease.id)
        try await store.put("\(prefix)/lease/c", "3")
        let stream = store.watch(prefix: "\(prefix)/lease/", from: first + 3)
        try await store.revoke(lease.id)
        let listed = try await store.list(prefix: "\(prefix)/lease/")
        #expect(listed.kvs.map(\.keyString) == ["\(prefix)/lease/c"])
        #expect(listed.revision == first + 3)
        let events = try await collect(stream, count: 2)
        #expect(events.map(\.kind) == [.delete, .delete])
        #expect(Set(events.map(\.kv.keyString)) == ["\(prefix)/lease/a", "\(prefix)/lease/b"])
        #expect(events.allSatisfy { $0.kv.modRevision == first + 3 })
        await #expect(throws: KVError.leaseNotFound(lease.id)) { try await store.revoke(lease.id) }
        await #expect(throws: KVError.leaseNotFound(lease.id)) { try await store.keepAlive(lease.id) }
        await #expect(throws: KVError.leaseNotFound(lease.id)) { try await store.timeToLive(lease.id, keys: false) }
    }

    package static func leaseKeepAliveTimeToLiveAndExplicitIDs(_ store: any KVStore, prefix: String) async throws {
        let id = LeaseID(Int64.random(in: 1_000_000...Int64.max / 2))
        let lease = try await store.grantLease(ttl: 30, id: id)
        #expect(lease.id == id)
        await #expect(throws: KVError.leaseExists(id)) { try await store.grantLease(ttl: 30, id: id) }
        try await store.put("\(prefix)/ttl/a", "1", lease: id)
        let status = try await store.timeToLive(id, keys: true)
        #expect(status.grantedTTL == 30)
        #expect(status.ttl > 0 && status.ttl <= 30)
        #expect(status.keys == [Array("\(prefix)/ttl/a".utf8)])
        #expect(try await store.keepAlive(id) == 30)
        #expect(try await store.timeToLive(id, keys: false).keys.isEmpty)
        try await store.revoke(id)
        #expect(try await store.get("\(prefix)/ttl/a") == nil)
    }
}
