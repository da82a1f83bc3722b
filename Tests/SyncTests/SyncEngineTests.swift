import Foundation
import KV
import Platform
import Sync
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(2)))
struct SyncEngineTests {
    let template = "{{range gets \"/services/web/app/*\"}}server {{.Value}};\n{{end}}"

    func engine(_ configuration: SyncConfiguration, _ backend: any SyncBackend) -> (SyncEngine, MemoryLogSink) {
        let sink = MemoryLogSink()
        let engine = SyncEngine(
            configuration: configuration, backend: backend, log: Log(component: "sync", level: .debug, sink: sink),
            output: { _ in })
        return (engine, sink)
    }

    func onetime(_ dir: Confdir) -> SyncConfiguration {
        var configuration = dir.configuration
        configuration.mode = .onetime
        return configuration
    }

    @Test func onetimeExitsZeroWhenEveryResourceSucceeds() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.resource("a", template: template)
        let (engine, _) = engine(onetime(dir), FixedBackend(pairs: ["/services/web/app/app@1": "10.0.0.1:80"]))
        #expect(await engine.run(signals: AsyncStream { $0.finish() }) == 0)
        #expect(dir.read(dir.out + "/a.conf") == "server 10.0.0.1:80;\n")
    }

    @Test func onetimeExitsOneAfterProcessingTheResourcesAfterAFailedOne() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.resource("a", template: template, extra: "check_cmd = \"exit 1\"\n")
        try dir.resource("b", template: template)
        let (engine, sink) = engine(onetime(dir), FixedBackend(pairs: ["/services/web/app/app@1": "10.0.0.1:80"]))
        #expect(await engine.run(signals: AsyncStream { $0.finish() }) == 1)
        #expect(dir.read(dir.out + "/a.conf") == nil)
        #expect(dir.read(dir.out + "/b.conf") == "server 10.0.0.1:80;\n")
        #expect(sink.messages.contains("config check failed"))
    }

    @Test func aFailedReadRendersNothingAndExitsOne() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.resource("a", template: template)
        try Data("last good\n".utf8).write(to: URL(fileURLWithPath: dir.out + "/a.conf"))
        let (engine, sink) = engine(onetime(dir), FixedBackend(pairs: [:], fails: true))
        #expect(await engine.run(signals: AsyncStream { $0.finish() }) == 1)
        #expect(dir.read(dir.out + "/a.conf") == "last good\n")
        #expect(sink.messages.contains("store read failed"))
    }

    @Test func aBrokenResourceFileAtStartIsFatalAsInConfd() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.resource("a", template: template)
        try dir.write("conf.d/broken.toml", "[template\n")
        let (engine, sink) = engine(onetime(dir), FixedBackend(pairs: [:]))
        #expect(await engine.run(signals: AsyncStream { $0.finish() }) == 1)
        #expect(dir.read(dir.out + "/a.conf") == nil)
        #expect(sink.messages.contains("cannot load template resources"))
        #expect(!sink.messages.contains("target config updated"))
    }

    @Test func resourcesSharingAReloadCommandReloadOncePerCycle() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        let reload = "reload_cmd = \"echo x >> \(dir.out)/reloads\"\n"
        try dir.resource("a", template: template, extra: reload)
        try dir.resource("b", template: template, extra: reload)
        try dir.resource("c", template: template, extra: "reload_cmd = \"exit 4\"\n")
        let (engine, sink) = engine(onetime(dir), FixedBackend(pairs: ["/services/web/app/app@1": "10.0.0.1:80"]))
        #expect(await engine.run(signals: AsyncStream { $0.finish() }) == 1)
        #expect(dir.read(dir.out + "/reloads") == "x\n")
        #expect(sink.messages.filter { $0 == "reload_cmd failed" }.count == 1)
        #expect(dir.read(dir.out + "/c.conf") == "server 10.0.0.1:80;\n")
    }

    @Test func aMissingConfdirIsNoResourcesAndExitsZero() async throws {
        let (engine, sink) = engine(
            {
                var c = SyncConfiguration(confDirectory: "/nonexistent/confd"); c.mode = .onetime; return c
            }(),
            FixedBackend(pairs: [:]))
        #expect(await engine.run(signals: AsyncStream { $0.finish() }) == 0)
        #expect(sink.messages == ["cannot load template resources: confdir does not exist"])
    }

    @Test func watchRendersChangesResyncsAfterCompactionRereadsOnHangupAndExitsZeroOnTerm() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.resource("a", template: template)
        let store = try MemoryStore.open(MemoryStore.Configuration(historyRetention: 1_000_000, fsync: false))
        defer { store.close() }
        try await store.put("/services/web/app/app@1", "10.0.0.1:80")
        var configuration = dir.configuration
        configuration.mode = .watch
        configuration.waitMinimum = .milliseconds(1)
        configuration.waitMaximum = .milliseconds(20)
        configuration.probeInterval = .milliseconds(50)
        let (engine, sink) = engine(configuration, EtcdBackend(store: store))
        let (signals, send) = AsyncStream<SignalEvents.Event>.makeStream()
        let run = Task { await engine.run(signals: signals) }
        let dest = dir.out + "/a.conf"
        #expect(await eventually { dir.read(dest) == "server 10.0.0.1:80;\n" })
        try await store.put("/services/web/app/app@2", "10.0.0.2:80")
        #expect(await eventually { dir.read(dest) == "server 10.0.0.1:80;\nserver 10.0.0.2:80;\n" })
        try await store.delete("/services/web/app/app@1")
        #expect(await eventually { dir.read(dest) == "server 10.0.0.2:80;\n" })

        // SIGHUP: a new resource appears, a broken one is reported and skipped, the others keep working.
        try dir.resource("b", template: template)
        try dir.write("conf.d/broken.toml", "[template]\nsrc = \n")
        send.yield(.reload)
        #expect(await eventually { dir.read(dir.out + "/b.conf") == "server 10.0.0.2:80;\n" })
        #expect(sink.messages.contains("resource skipped"))
        try await store.put("/services/web/app/app@3", "10.0.0.3:80")
        #expect(await eventually { dir.read(dest) == "server 10.0.0.2:80;\nserver 10.0.0.3:80;\n" })

        send.yield(.terminate(15))
        #expect(await run.value == 0)
        #expect(sink.messages.last == "exiting")
    }

    @Test func intervalModeProcessesAtOnceRereadsResourcesOnHangupAndExitsZeroOnTerm() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.resource("a", template: template)
        var configuration = dir.configuration
        configuration.mode = .interval(.seconds(3600))
        let (engine, sink) = engine(configuration, FixedBackend(pairs: ["/services/web/app/app@1": "10.0.0.1:80"]))
        let (signals, send) = AsyncStream<SignalEvents.Event>.makeStream()
        let run = Task { await engine.run(signals: signals) }
        #expect(await eventually { dir.read(dir.out + "/a.conf") == "server 10.0.0.1:80;\n" })
        try dir.resource("b", template: template)
        send.yield(.reload)
        #expect(await eventually { dir.read(dir.out + "/b.conf") == "server 10.0.0.1:80;\n" })
        send.yield(.terminate(2))
        #expect(await run.value == 0)
        #expect(sink.messages.last == "exiting")
    }

    @Test func noopOnetimePrintsTheDiffAndExitsZero() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.resource("a", template: template)
        var configuration = onetime(dir)
        configuration.options.noop = true
        let output = OutputCollector()
        let engine = SyncEngine(
            configuration: configuration, backend: FixedBackend(pairs: ["/services/web/app/app@1": "10.0.0.1:80"]),
            log: Log(component: "sync", level: .error, sink: MemoryLogSink()), output: output.sink)
        #expect(await engine.run(signals: AsyncStream { $0.finish() }) == 0)
        let dest = dir.out + "/a.conf"
        #expect(output.written == "--- \(dest)\n+++ \(dest) (new)\n@@ -0,0 +1 @@\n+server 10.0.0.1:80;\n")
        #expect(dir.read(dest) == nil)
    }

    @Test func watchReadsEverythingAgainWhenItsHistoryWasCompacted() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.resource("a", template: template)
        let store = try MemoryStore.open(MemoryStore.Configuration(fsync: false))
        defer { store.close() }
        try await store.put("/services/web/app/app@1", "10.0.0.1:80")
        let backend = CompactingBackend(inner: EtcdBackend(store: store))
        var configuration = dir.configuration
        configuration.mode = .watch
        configuration.waitMinimum = .milliseconds(1)
        configuration.waitMaximum = .milliseconds(20)
        let (engine, sink) = engine(configuration, backend)
        let (signals, send) = AsyncStream<SignalEvents.Event>.makeStream()
        let run = Task { await engine.run(signals: signals) }
        let dest = dir.out + "/a.conf"
        #expect(await eventually { dir.read(dest) == "server 10.0.0.1:80;\n" })
        // Changed while the (simulated) watch lost its history: only a full read can see it.
        try await store.put("/services/web/app/app@1", "10.0.0.9:80")
        backend.compactNow()
        #expect(await eventually { dir.read(dest) == "server 10.0.0.9:80;\n" })
        #expect(sink.messages.contains("watch history compacted, reading everything again"))
        send.yield(.terminate(15))
        #expect(await run.value == 0)
    }

    @Test func watchKeepsTheLastGoodFileWhileTheStoreIsDownAndSaysSoOnce() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.resource("a", template: template)
        try Data("last good\n".utf8).write(to: URL(fileURLWithPath: dir.out + "/a.conf"))
        var configuration = dir.configuration
        configuration.mode = .watch
        configuration.retryInterval = .milliseconds(10)
        configuration.probeInterval = .milliseconds(10)
        let backend = FixedBackend(pairs: [:], fails: true)
        let (engine, sink) = engine(configuration, backend)
        let (signals, send) = AsyncStream<SignalEvents.Event>.makeStream()
        let run = Task { await engine.run(signals: signals) }
        #expect(await eventually { sink.messages.contains("store unreachable, keeping the last good config") })
        #expect(await eventually { backend.reads.value >= 5 })  // retries happen; none may log again
        send.yield(.terminate(15))
        #expect(await run.value == 0)
        #expect(dir.read(dir.out + "/a.conf") == "last good\n")
        #expect(
            sink.messages.filter { $0 == "store read failed, keeping the last good config and retrying" }.count == 1)
    }
}

/// An etcd backend whose watch can be made to end with `compacted`, as etcd ends one after compaction.
final class CompactingBackend: SyncBackend {
    let inner: EtcdBackend
    private let compaction = Locked<[AsyncThrowingStream<BackendChange, any Error>.Continuation]>([])

    init(inner: EtcdBackend) { self.inner = inner }

    func compactNow() {
        for continuation in compaction.withLock({ $0 }) {
            continuation.finish(throwing: KVError.compacted(requested: 1, compactRevision: 5))
        }
    }

    func read(_ keys: [String]) async throws -> KeyRead { try await inner.read(keys) }

    func watch(_ keys: [String], after revision: Int64) -> AsyncThrowingStream<BackendChange, any Error> {
        // Events are withheld: the only way to see a change is the full read after compaction.
        let (stream, continuation) = AsyncThrowingStream<BackendChange, any Error>.makeStream()
        compaction.withLock { $0.append(continuation) }
        return stream
    }

    func probe() async -> Bool { true }
}
