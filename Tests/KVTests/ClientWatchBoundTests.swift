import HTTP
import KV
import Platform
import TestSupport
import Testing

/// `EtcdClient`'s watch streams are bounded like `MemoryStore`'s watchers: a consumer that does not keep up
/// is ended with an error naming the revision to watch again from, and watching again from there loses nothing.
@Suite(.timeLimit(.minutes(2)))
struct ClientWatchBoundTests {
    @Test func aWatchConsumerThatFallsBehindIsEndedAndResumesFromItsLastRevision() async throws {
        var serverConfiguration = StoreServer.Configuration()
        serverConfiguration.port = 0
        serverConfiguration.threads = 1
        let server = try StoreServer.start(serverConfiguration, log: Log(component: "store", level: .error))
        defer { server.stop() }
        let sink = LineSignal(waitingFor: "watch consumer fell behind")
        var configuration = EtcdClient.Configuration(endpoints: [Endpoint(host: "127.0.0.1", port: server.port)])
        configuration.watchBufferLimit = 2
        let client = try EtcdClient(configuration: configuration, log: Log(component: "test", sink: sink))
        defer { client.close() }

        let start = try await client.put("/other", "x") + 1
        let stream = client.watch(prefix: "/slow/", from: start)
        for i in 0..<20 { try await client.put("/slow/\(i)", "\(i)") }
        // Nothing is consumed until the client has given up on this consumer (its log line says so).
        await sink.wait()

        var seen: [String] = []
        var ending: (any Error)? = nil
        do {
            for try await batch in stream { seen += batch.events.map(\.kv.keyString) }
        } catch {
            ending = error
        }
        // Two batches are buffered; how many events they hold depends on when the watch was registered.
        #expect(!seen.isEmpty && seen.count < 20)
        #expect(seen == (0..<seen.count).map { "/slow/\($0)" })
        let resumeAt = start + Revision(seen.count)
        #expect(
            ending as? KVError
                == KVError.unavailable(
                    endpoints: ["http://127.0.0.1:\(server.port)"],
                    reason:
                        "watch on /slow/..</slow0 fell behind and its buffer filled; watch again from revision \(resumeAt)"
                ))

        var rest: [String] = []
        for try await batch in client.watch(prefix: "/slow/", from: resumeAt) {
            rest += batch.events.map(\.kv.keyString)
            if rest.count >= 20 - seen.count { break }
        }
        #expect(rest == (seen.count..<20).map { "/slow/\($0)" })
    }
}

/// A log sink that lets a test wait (without polling) for the first line containing some text.
private final class LineSignal: LogSink {
    private let text: String
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init(waitingFor text: String) {
        self.text = text
        (stream, continuation) = AsyncStream<Void>.makeStream()
    }

    func write(_ line: String) {
        if line.contains(text) { continuation.yield() }
    }

    func wait() async {
        for await _ in stream { return }
    }
}
