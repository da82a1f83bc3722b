import KV
import Platform
import TestSupport
import Testing

/// The `KVStore` contract as checks any conformer must pass: `MemoryStore`, the store server
/// through `EtcdClient`, and real etcd 3.4 through the same client.
///
/// Each check writes only under `prefix` and asserts revisions relative to one it read first,
/// so runs against a shared store do not collide. Checks that compact (`pastRevisionRead`,
/// `watchAfterCompactionIsToldCompacted`) affect the whole store: run them serialized there.
/// Lease expiry is not here (it needs a clock); each conformer tests it with its own.
package enum KVContract {
    /// One named check, for `@Test(arguments: KVContract.checks)`.
    package struct Check: Sendable, CustomStringConvertible {
        package let name: String
        package let run: @Sendable (any KVStore, String) async throws -> Void
        package var description: String { name }
    }

    package static let checks: [Check] = [
        Check(name: "putRangeAndPrefix", run: putRangeAndPrefix),
        Check(name: "writesBumpTheRevisionByOneAndKeepVersions", run: writesBumpTheRevisionByOneAndKeepVersions),
        Check(name: "rangeLimitCountKeysOnlyAndCountOnly", run: rangeLimitCountKeysOnlyAndCountOnly),
        Check(name: "keysAreOrderedByBytes", run: keysAreOrderedByBytes),
        Check(name: "txnCompareAndSwap", run: txnCompareAndSwap),
        Check(name: "txnComparesOnMissingKeys", run: txnComparesOnMissingKeys),
        Check(name: "txnWritesShareOneRevisionAndNestedTxnsRun", run: txnWritesShareOneRevisionAndNestedTxnsRun),
        Check(name: "deleteRange", run: deleteRange),
        Check(name: "putPrevKVIgnoreValueAndIgnoreLease", run: putPrevKVIgnoreValueAndIgnoreLease),
        Check(name: "putWithUnknownLeaseFails", run: putWithUnknownLeaseFails),
        Check(name: "pastRevisionRead", run: pastRevisionRead),
        Check(name: "watchFromRevisionReplays", run: watchFromRevisionReplays),
        Check(name: "watchSeesLiveEventsWithPrevKV", run: watchSeesLiveEventsWithPrevKV),
        Check(name: "watchAfterCompactionIsToldCompacted", run: watchAfterCompactionIsToldCompacted),
        Check(name: "leaseRevokeDeletesKeys", run: leaseRevokeDeletesKeys),
        Check(name: "leaseKeepAliveTimeToLiveAndExplicitIDs", run: leaseKeepAliveTimeToLiveAndExplicitIDs),
    ]

    package static func putRangeAndPrefix(_ store: any KVStore, prefix: String) async throws {
        try await store.put("\(prefix)/apps/a", "1")
        try await store.put("\(prefix)/apps/b", "2")
        try await store.put("\(prefix)/appsx", "3")
        let kv = try #require(try await store.get("\(prefix)/apps/a"))
        #expect(kv.valueString == "1")
        #expect(try await store.get("\(prefix)/apps/missing") == nil)
        let listed = try await store.list(prefix: "\(prefix)/apps/")
        #expect(listed.kvs.map(\.keyString) == ["\(prefix)/apps/a", "\(prefix)/apps/b"])
        #expect(listed.count == 2)
        #expect(!listed.more)
    }

    package static func writesBumpTheRevisionByOneAndKeepVersions(_ store: any KVStore, prefix: String) async throws {
        let key = "\(prefix)/versions"
        let first = try await store.put(key, "a")
        let second = try await store.put(key, "b")
        #expect(second == first + 1)
        let kv = try #require(try await store.get(key))
        #expect(kv.createRevision == first)
        #expect(kv.modRevision == second)
        #expect(kv.version == 2)
        #expect(try await store.delete(key) == 1)
        let afterDelete = try await store.range(RangeRequest(.key(key))).revision
        #expect(afterDelete == second + 1)
        #expect(try await store.delete(key) == 0)
        #expect(try await store.range(RangeRequest(.key(key))).revision == afterDelete)
        let recreated = try await store.put(key, "c")
        let again = try #require(try await store.get(key))
        #expect(again.version == 1)
        #expect(again.createRevision == recreated)
    }

    package static func rangeLimitCountKeysOnlyAndCountOnly(_ store: any KVStore, prefix: String) async throws {
        for name in ["a", "b", "c", "d"] { try await store.put("\(prefix)/limit/\(name)", "value-\(name)") }
        let range = KeyRange.prefix("\(prefix)/limit/")
        let limited = try await store.range(RangeRequest(range, limit: 2))
        #expect(limited.kvs.map(\.keyString) == ["\(prefix)/limit/a", "\(prefix)/limit/b"])
        #expect(limited.count == 4)
        #expect(limited.more)
        let keysOnly = try await store.range(RangeRequest(range, keysOnly: true))
        #expect(keysOnly.kvs.count == 4)
        #expect(keysOnly.kvs.allSatisfy { $0.value.isEmpty })
        let countOnly = try await store.range(RangeRequest(range, countOnly: true))
        #expect(countOnly.kvs.isEmpty)
        #expect(countOnly.count == 4)
        let between = try await store.range(
            RangeRequest(
                KeyRange(start: Array("\(prefix)/limit/b".utf8), end: .before(Array("\(prefix)/limit/d".utf8)))))
        #expect(between.kvs.map(\.keyString) == ["\(prefix)/limit/b", "\(prefix)/limit/c"])
    }

    package static func keysAreOrderedByBytes(_ store: any KVStore, prefix: String) async throws {
        // "e" + combining acute and precomposed "é" are equal Strings but different keys.
        let keys: [[UInt8]] = [
            Array("\(prefix)/order/z".utf8), Array("\(prefix)/order/é".utf8),
            Array("\(prefix)/order/e\u{301}".utf8), Array("\(prefix)/order/B".utf8),
            Array("\(prefix)/order/".utf8) + [0xff],
        ]
        for key in keys { _ = try await store.put(PutRequest(key: key, value: [1])) }
        let listed = try await store.range(RangeRequest(.prefix("\(prefix)/order/")))
        let expected = keys.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(listed.kvs.map(\.key) == expected)
        #expect(listed.count == 5)
    }

    package static func txnCompareAndSwap(_ store: any KVStore, prefix: String) async throws {
        let key = "\(prefix)/cas"
        let created = try await store.compareAndSwap(key, expectModRevision: 0, value: "first")
        #expect(created.swapped)
        let again = try await store.compareAndSwap(key, expectModRevision: 0, value: "second")
        #expect(!again.swapped)
        #expect(again.revision == created.revision)
        let current = try #require(try await store.get(key))
        let swapped = try await store.compareAndSwap(key, expectModRevision: current.modRevision, value: "third")
        #expect(swapped.swapped)
        #expect(swapped.revision == created.revision + 1)
        let stale = try await store.compareAndSwap(key, expectModRevision: current.modRevision, value: "fourth")
        #expect(!stale.swapped)
        #expect(try await store.get(key)?.valueString == "third")
        let k = Array(key.utf8)
        let byValue = try await store.txn(
            Txn(
                compare: [Compare(.key(k), .equal, .value(Array("third".utf8)))],
                success: [.put(PutRequest(key: k, value: Array("fifth".utf8)))],
                failure: [.range(RangeRequest(.key(k)))]))
        #expect(byValue.succeeded)
        let failed = try await store.txn(
            Txn(
                compare: [Compare(.key(k), .greater, .version(10))],
                success: [.put(PutRequest(key: k, value: Array("never".utf8)))],
                failure: [.range(RangeRequest(.key(k)))]))
        #expect(!failed.succeeded)
        guard case .range(let read)? = failed.responses.first else {
            Issue.record("the failure branch did not answer with a range: \(failed.responses)")
            return
        }
        #expect(read.kvs.first?.valueString == "fifth")
    }

    package static func txnComparesOnMissingKeys(_ store: any KVStore, prefix: String) async throws {
        let missing = Array("\(prefix)/missing".utf8)
        func holds(_ compare: Compare) async throws -> Bool { try await store.txn(Txn(compare: [compare])).succeeded }
        #expect(try await holds(Compare(.key(missing), .equal, .version(0))))
        #expect(try await holds(Compare(.key(missing), .equal, .createRevision(0))))
        #expect(try await holds(Compare(.key(missing), .equal, .modRevision(0))))
        #expect(try await holds(Compare(.key(missing), .equal, .lease(nil))))
        #expect(try await !holds(Compare(.key(missing), .equal, .value([]))))
        #expect(try await !holds(Compare(.key(missing), .notEqual, .value(Array("x".utf8)))))
        #expect(try await holds(Compare(.key(missing), .less, .version(1))))
    }

    package static func txnWritesShareOneRevisionAndNestedTxnsRun(_ store: any KVStore, prefix: String) async throws {
        let a = Array("\(prefix)/multi/a".utf8)
        let b = Array("\(prefix)/multi/b".utf8)
        let c = Array("\(prefix)/multi/c".utf8)
        let before = try await store.range(RangeRequest(.key(a))).revision
        let result = try await store.txn(
            Txn(
                success: [
                    .put(PutRequest(key: a, value: [1])), .put(PutRequest(key: b, value: [2])),
                    .txn(
                        Txn(
                            compare: [Compare(.key(c), .equal, .version(0))],
                            success: [.put(PutRequest(key: c, value: [3]))])),
                ]))
        #expect(result.succeeded)
        #expect(result.revision == before + 1)
        let listed = try await store.list(prefix: "\(prefix)/multi/")
        #expect(listed.kvs.map(\.modRevision) == [before + 1, before + 1, before + 1])
        guard case .txn(let nested)? = result.responses.last else {
            Issue.record("the nested transaction did not answer: \(result.responses)")
            return
        }
        #expect(nested.succeeded)
        let readOnly = try await store.txn(Txn(success: [.range(RangeRequest(.key(a)))]))
        #expect(readOnly.revision == before + 1)
        await #expect(throws: KVError.self) {
            try await store.txn(
                Txn(success: [.put(PutRequest(key: a, value: [1])), .put(PutRequest(key: a, value: [2]))]))
        }
        #expect(try await store.range(RangeRequest(.key(a))).revision == before + 1)
    }

    package static func deleteRange(_ store: any KVStore, prefix: String) async throws {
        for name in ["a", "b", "c"] { try await store.put("\(prefix)/del/\(name)", name) }
        try await store.put("\(prefix)/delx", "outside")
        let deleted = try await store.delete(.prefix("\(prefix)/del/"), prevKV: true)
        #expect(deleted.deleted == 3)
        #expect(deleted.prevKVs.map(\.valueString).sorted() == ["a", "b", "c"])
        #expect(try await store.list(prefix: "\(prefix)/del/").count == 0)
        #expect(try await store.get("\(prefix)/delx")?.valueString == "outside")
        let nothing = try await store.delete(.prefix("\(prefix)/del/"))
        #expect(nothing.deleted == 0)
        #expect(nothing.revision == deleted.revision)
    }

    package static func putPrevKVIgnoreValueAndIgnoreLease(_ store: any KVStore, prefix: String) async throws {
        let key = Array("\(prefix)/prev".utf8)
        let first = try await store.put(PutRequest(key: key, value: Array("one".utf8), prevKV: true))
        #expect(first.prevKV == nil)
        let second = try await store.put(PutRequest(key: key, value: Array("two".utf8), prevKV: true))
        #expect(second.prevKV?.valueString == "one")
        let lease = try await store.grantLease(ttl: 60)
        _ = try await store.put(PutRequest(key: key, value: [], lease: lease.id, ignoreValue: true))
        let kept = try #require(try await store.get("\(prefix)/prev"))
        #expect(kept.valueString == "two")
        #expect(kept.lease == lease.id)
        _ = try await store.put(PutRequest(key: key, value: Array("three".utf8), ignoreLease: true))
        #expect(try await store.get("\(prefix)/prev")?.lease == lease.id)
        await #expect(throws: KVError.keyNotFound("\(prefix)/absent")) {
            try await store.put(PutRequest(key: Array("\(prefix)/absent".utf8), value: [], ignoreValue: true))
        }
        try await store.revoke(lease.id)
    }

    package static func putWithUnknownLeaseFails(_ store: any KVStore, prefix: String) async throws {
        let unknown = LeaseID(Int64.random(in: 1_000_000...Int64.max / 2))
        await #expect(throws: KVError.leaseNotFound(unknown)) {
            try await store.put("\(prefix)/leased", "x", lease: unknown)
        }
        #expect(try await store.get("\(prefix)/leased") == nil)
    }

    /// Compacts the store.
    package static func pastRevisionRead(_ store: any KVStore, prefix: String) async throws {
        let key = "\(prefix)/past"
        let r1 = try await store.put(key, "1")
        let r2 = try await store.put(key, "2")
        try await store.delete(key)
        let r3 = r2 + 1
        func value(at revision: Revision) async throws -> String? {
            try await store.range(RangeRequest(.key(key), revision: revision)).kvs.first?.valueString
        }
        #expect(try await value(at: r1) == "1")
        #expect(try await value(at: r2) == "2")
        #expect(try await value(at: r3) == nil)
        #expect(try await value(at: r1 - 1) == nil)
        let atR1 = try await store.range(RangeRequest(.key(key), revision: r1))
        #expect(atR1.revision >= r3)
        let future = r3 + 1_000_000
        await #expect(throws: KVError.self) { try await store.range(RangeRequest(.key(key), revision: future)) }
        try await store.compact(r2)
        #expect(try await value(at: r2) == "2")
        do {
            _ = try await store.range(RangeRequest(.key(key), revision: r1))
            Issue.record("a read below the compact revision succeeded")
        } catch KVError.compacted(let requested, let compactRevision) {
            #expect(requested == r1)
            #expect(compactRevision >= r2)
        }
    }

    /// Reads `count` events from `stream`, failing instead of hanging if they never come.
    package static func collect(_ stream: WatchStream, count: Int) async throws -> [WatchEvent] {
        try await withThrowingTaskGroup(of: [WatchEvent]?.self) { group in
            group.addTask {
                var events: [WatchEvent] = []
                for try await batch in stream {
                    events += batch.events
                    if events.count >= count { break }
                }
                return events
            }
            group.addTask {
                // A watchdog, not a timing assertion: only a broken store takes this long.
                try await Task.sleep(for: .seconds(20))
                return nil
            }
            defer { group.cancelAll() }
            guard let events = try await group.next() ?? nil else {
                throw KVError.timeout("\(count) watch events did not arrive")
            }
            return events
        }
    }
}
