import Foundation
import KV
import KVTestSupport
import Platform
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(2)))
struct WALTests {
    let fixture = LocalStores()

    @Test func reopeningRestoresKeysRevisionsLeasesAndCompaction() async throws {
        let dir = try TemporaryDirectory("kvtests")
        defer { dir.remove() }
        var store = try fixture.open(dataDir: dir.path)
        let lease = try await store.grantLease(ttl: 30)
        try await store.put("/a", "1", lease: lease.id)
        try await store.put("/b", "2")
        try await store.put("/b", "3")
        try await store.delete("/gone")
        try await store.compact(3)
        let revision = store.currentRevision
        store.close()
        fixture.clock.advance(by: .seconds(25))

        store = try fixture.open(dataDir: dir.path)
        defer { store.close() }
        #expect(store.currentRevision == revision)
        let b = try #require(try await store.get("/b"))
        #expect((b.valueString, b.version, b.createRevision, b.modRevision) == ("3", 2, 3, 4))
        #expect(try await store.get("/a")?.lease == lease.id)
        #expect(store.stats.compactRevision == 3)
        let status = try await store.timeToLive(lease.id, keys: true)
        #expect(status.ttl == 30)
        #expect(status.keys == [Array("/a".utf8)])
        await #expect(throws: KVError.compacted(requested: 2, compactRevision: 3)) {
            try await store.range(RangeRequest(.key("/b"), revision: 2))
        }
        #expect(try await store.range(RangeRequest(.key("/b"), revision: 3)).kvs.first?.valueString == "2")
        #expect(try await store.put("/c", "4") == revision + 1)
    }

    @Test func aTornLastRecordIsTruncatedAtEveryByteWithAWarning() async throws {
        let dir = try TemporaryDirectory("kvtests")
        defer { dir.remove() }
        var store = try fixture.open(dataDir: dir.path)
        for value in 1...3 { try await store.put("/k\(value)", "\(value)") }
        let lastStart = try fileSize(segment(dir))
        try await store.put("/k4", "4")
        store.close()
        let full = try Data(contentsOf: URL(fileURLWithPath: segment(dir)))
        for cut in lastStart..<full.count {
            try full.prefix(cut).write(to: URL(fileURLWithPath: segment(dir)))
            let sink = MemoryLogSink()
            store = try MemoryStore.open(
                MemoryStore.Configuration(
                    dataDir: dir.path, clock: fixture.clock, log: Log(component: "store", sink: sink)))
            #expect(try await store.list(prefix: "/").count == 3, "cut at \(cut)")
            #expect(store.currentRevision == 4)
            let warned = sink.written.contains { $0.contains("level=warning") && $0.contains("torn record") }
            #expect(warned == (cut > lastStart), "cut at \(cut)")
            store.close()
            #expect(try fileSize(segment(dir)) == lastStart)
        }
        try full.write(to: URL(fileURLWithPath: segment(dir)))
        store = try fixture.open(dataDir: dir.path)
        #expect(try await store.get("/k4")?.valueString == "4")
        store.close()
    }

    @Test func zerosAfterTheLastRecordAreTruncated() async throws {
        let dir = try TemporaryDirectory("kvtests")
        defer { dir.remove() }
        var store = try fixture.open(dataDir: dir.path)
        try await store.put("/k", "v")
        store.close()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: segment(dir)))
        handle.seekToEndOfFile()
        handle.write(Data(count: 4096))
        try handle.close()
        store = try fixture.open(dataDir: dir.path)
        defer { store.close() }
        #expect(try await store.get("/k")?.valueString == "v")
    }

    @Test func aCorruptedRecordFollowedByValidOnesRefusesToOpen() async throws {
        let dir = try TemporaryDirectory("kvtests")
        defer { dir.remove() }
        let store = try fixture.open(dataDir: dir.path)
        for value in 1...3 { try await store.put("/k\(value)", "\(value)") }
        store.close()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment(dir)))
        let firstLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let second = 8 + 8 + firstLength
        bytes[second + 12] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: segment(dir)))
        let path = segment(dir)
        #expect(
            throws: KVError.storage(
                "\(path): record 2 at offset \(second) fails its checksum; the log is corrupted. Restore from a backup or move the directory away"
            )
        ) { try fixture.open(dataDir: dir.path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test func aDamagedSnapshotOrSegmentHeaderRefusesToOpen() async throws {
        let dir = try TemporaryDirectory("kvtests")
        defer { dir.remove() }
        let store = try fixture.open(dataDir: dir.path) { $0.snapshotEvery = 2 }
        for value in 1...3 { try await store.put("/k\(value)", "\(value)") }
        store.close()
        let snapshot = dir.path + "/snapshot"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: snapshot))
        bytes[bytes.count - 3] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: snapshot))
        #expect(
            throws: KVError.storage(
                "\(snapshot): fails its checksum or is incomplete; the snapshot is corrupted. Restore from a backup or move the directory away"
            )
        ) { try fixture.open(dataDir: dir.path) }
        try FileManager.default.removeItem(atPath: snapshot)
        let path = WALTests.segments(dir).last ?? ""
        try Data("garbage!".utf8).write(to: URL(fileURLWithPath: path))
        #expect(
            throws: KVError.storage(
                "\(path): bad header, not a Switchboard log segment; the log is corrupted. Restore from a backup or move the directory away"
            )
        ) { try fixture.open(dataDir: dir.path) }
    }

    @Test func snapshotsReplaceTheLogAndReopenWithLaterWrites() async throws {
        let dir = try TemporaryDirectory("kvtests")
        defer { dir.remove() }
        var store = try fixture.open(dataDir: dir.path) { $0.snapshotEvery = 5 }
        let lease = try await store.grantLease(ttl: 60)
        for value in 1...12 { try await store.put("/k\(value % 4)", "\(value)", lease: value == 12 ? lease.id : nil) }
        try await store.delete("/k0")
        let revision = store.currentRevision
        store.close()
        #expect(FileManager.default.fileExists(atPath: dir.path + "/snapshot"))
        #expect(WALTests.segments(dir).count == 1)
        #expect(WALTests.segments(dir).first?.hasSuffix("wal-000001.log") == false)

        store = try fixture.open(dataDir: dir.path) { $0.snapshotEvery = 5 }
        defer { store.close() }
        #expect(store.currentRevision == revision)
        let listed = try await store.list(prefix: "/")
        #expect(listed.kvs.map(\.valueString) == ["9", "10", "11"])
        #expect(listed.kvs.map(\.version) == [3, 3, 3])
        #expect(try await store.timeToLive(lease.id, keys: true).keys.isEmpty)
        await #expect(throws: KVError.self) {
            try await KVContract.collect(store.watch(prefix: "/", from: 2), count: 1)
        }
    }

    @Test func copiesTakenWhileWritingRecoverEveryAcknowledgedWrite() async throws {
        let dir = try TemporaryDirectory("kvtests")
        defer { dir.remove() }
        let store = try fixture.open(dataDir: dir.path)
        defer { store.close() }
        let writer = Task {
            for value in 0..<300 { try await store.put("/k\(value)", "\(value)") }
        }
        for copy in 0..<5 {
            let acknowledged = Int(store.currentRevision) - 1
            let target = try TemporaryDirectory("kvtests")
            defer { target.remove() }
            try FileManager.default.createDirectory(atPath: target.path, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name != "LOCK" {
                try FileManager.default.copyItem(atPath: dir.path + "/" + name, toPath: target.path + "/" + name)
            }
            let recovered = try fixture.open(dataDir: target.path)
            let count = try await recovered.list(prefix: "/").count
            recovered.close()
            #expect(count >= acknowledged, "copy \(copy)")
        }
        try await writer.value
    }

    @Test func aSecondOpenOfALockedDirectoryFailsClearly() async throws {
        let dir = try TemporaryDirectory("kvtests")
        defer { dir.remove() }
        let store = try fixture.open(dataDir: dir.path)
        #expect(
            throws: KVError.storage(
                "\(dir.path)/LOCK: the data directory \(dir.path) is in use by another store; stop it or use another data directory"
            )
        ) { try fixture.open(dataDir: dir.path) }
        store.close()
        let again = try fixture.open(dataDir: dir.path)
        again.close()
    }

    @Test func aDataDirectoryThatCannotBeListedRefusesToOpenAndKeepsItsLog() async throws {
        let dir = try TemporaryDirectory("kvtests")
        defer { dir.remove() }
        var store = try fixture.open(dataDir: dir.path)
        try await store.put("/kept", "yes")
        store.close()
        let before = try fileSize(segment(dir))

        struct Unreadable: Error, CustomStringConvertible {
            let path: String
            var description: String { "opendir \(path): Permission denied" }
        }
        #expect(
            throws: KVError.storage(
                "cannot list data directory \(dir.path): opendir \(dir.path): Permission denied; nothing was changed. Check its permissions"
            )
        ) {
            try fixture.open(dataDir: dir.path) { $0.listDirectory = { throw Unreadable(path: $0) } }
        }
        #expect(try fileSize(segment(dir)) == before)
        store = try fixture.open(dataDir: dir.path)
        defer { store.close() }
        #expect(try await store.get("/kept")?.valueString == "yes")
    }

    /// How much group commit saves is measured in bench/store; here only that nothing is lost or doubled.
    @Test func concurrentWritersAreEachLoggedOnceAndAcknowledged() async throws {
        let dir = try TemporaryDirectory("kvtests")
        defer { dir.remove() }
        let store = try fixture.open(dataDir: dir.path)
        defer { store.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<16 {
                group.addTask { for value in 0..<20 { try await store.put("/w\(writer)/\(value)", "x") } }
            }
            try await group.waitForAll()
        }
        let stats = store.stats
        #expect(stats.revision == 321)
        #expect(stats.walRecords == 320)
        #expect(stats.walFsyncs >= 1 && stats.walFsyncs <= 320)
        #expect(stats.walBytes > 0)
    }

    private func segment(_ dir: TemporaryDirectory) -> String { dir.path + "/wal-000001.log" }

    private static func segments(_ dir: TemporaryDirectory) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix("wal-") }
            .sorted().map { dir.path + "/" + $0 }
    }

    private func fileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}
