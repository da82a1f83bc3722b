import KV
import KVTestSupport
import Platform
import TestSupport
import Testing

struct WatchTests {
    let fixture = LocalStores()

    @Test func aTransactionsEventsArriveInOneBatchInRevisionOrder() async throws {
        let dir = try TemporaryDirectory("kvtests")
        defer { dir.remove() }
        let store = try fixture.open(dataDir: dir.path)
        defer { store.close() }
        let stream = store.watch(prefix: "/w/", from: 2)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    let keys = (0..<3).map { Array("/w/\(writer)/\($0)".utf8) }
                    _ = try await store.txn(Txn(success: keys.map { .put(PutRequest(key: $0, value: [1])) }))
                }
            }
            try await group.waitForAll()
        }
        var batches: [WatchBatch] = []
        var seen = 0
        for try await batch in stream {
            batches.append(batch)
            seen += batch.events.count
            if seen >= 24 { break }
        }
        let revisions = batches.flatMap { $0.events.map(\.kv.modRevision) }
        #expect(revisions == revisions.sorted())
        #expect(revisions.count == 24)
        for revision in Set(revisions) {
            let holding = batches.filter { $0.events.contains { $0.kv.modRevision == revision } }
            #expect(holding.count == 1, "revision \(revision) was split across batches")
        }
    }

    @Test func aSlowWatcherIsEndedAloneWhenItsBufferFills() async throws {
        let store = try fixture.open { $0.watchBufferLimit = 2 }
        defer { store.close() }
        let slow = store.watch(prefix: "/s/", from: 2)
        let healthy = store.watch(prefix: "/s/", from: 2)
        var keepingUp = healthy.makeAsyncIterator()
        for value in 1...5 {
            try await store.put("/s/k", "\(value)")
            #expect(try await keepingUp.next()?.events.first?.kv.valueString == "\(value)")
        }
        var received = 0
        do {
            for try await batch in slow { received += batch.events.count }
            Issue.record("the slow watcher ended without an error")
        } catch let error as KVError {
            #expect(
                error
                    == .unavailable(
                        endpoints: ["memory"],
                        reason: "watch on /s/..</s0 fell behind and its buffer filled; watch again from revision 4"))
        }
        #expect(received == 2)
        #expect(store.stats.watchers == 1)
    }

    @Test func cancellingTheConsumerRemovesTheWatcher() async throws {
        let store = try fixture.open()
        defer { store.close() }
        let stream = store.watch(prefix: "/c/")
        #expect(store.stats.watchers == 1)
        let consumer = Task {
            for try await _ in stream {}
        }
        consumer.cancel()
        _ = await consumer.result
        #expect(store.stats.watchers == 0)
    }

    @Test func closingTheStoreEndsWatches() async throws {
        let store = try fixture.open()
        let stream = store.watch(prefix: "/c/")
        store.close()
        await #expect(throws: KVError.unavailable(endpoints: ["memory"], reason: "the store is closed")) {
            for try await _ in stream {}
        }
        await #expect(throws: KVError.self) { try await store.put("/c/a", "1") }
    }

    @Test func aWatchFromZeroStartsAfterTheCurrentRevision() async throws {
        let store = try fixture.open()
        defer { store.close() }
        try await store.put("/z/old", "1")
        let stream = store.watch(prefix: "/z/")
        try await store.put("/z/new", "2")
        let events = try await KVContract.collect(stream, count: 1)
        #expect(events.map(\.kv.keyString) == ["/z/new"])
    }
}
