import Foundation
import HTTP
import Platform
import TestSupport
import Testing

/// A server out of file descriptors backs off with one log line and serves again once some close
/// (issue 7): `router store` run under a small `ulimit -n`, flooded with idle connections.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DescriptorExhaustionTests {
    @Test func storeOutOfDescriptorsLogsOnceAndServesAgainWhenConnectionsClose() async throws {
        let directory = try TemporaryDirectory("emfile")
        defer { directory.remove() }
        let port = FreePort.next()
        let command =
            "ulimit -n 64; exec '\(BuiltProducts.path("router"))' store --listen 127.0.0.1:\(port)"
            + " --data-dir '\(directory.file("data"))' --threads 1"
        let store = try ChildProcess("/bin/sh", ["-c", command], logPath: directory.file("store.log"))
        defer { store.stop() }
        let client = HTTPClient()
        defer { client.shutdown() }
        let endpoint = Endpoint(host: "127.0.0.1", port: port)
        let healthy: @Sendable () async -> Bool = {
            (try? await client.send(HTTPClientRequest(path: "/health"), to: endpoint, timeout: .seconds(1)).status)
                == 200
        }
        #expect(await eventually(timeout: .seconds(20)) { await healthy() }, "never healthy: \(store.output)")

        // More idle connections than the store has descriptors left: the kernel still completes them (the
        // backlog), the store's accept fails with EMFILE.
        var held: [RawConnection] = []
        for _ in 0..<120 { held.append(try RawConnection(port: port)) }
        let logged = await eventually(timeout: .seconds(10)) {
            store.output.contains("out of file descriptors")
        }
        #expect(logged, "no back-off line: \(store.output)")
        // Still exhausted for several 100 ms back-off rounds: each retry fails again, yet the log keeps one line.
        try await Task.sleep(for: .milliseconds(600))
        let lines = store.output.split(separator: "\n").filter { $0.contains("out of file descriptors") }
        #expect(lines.count == 1, "one line per exhaustion, got: \(lines)")
        #expect(store.isRunning)

        held.removeAll()  // closes them all
        #expect(await eventually(timeout: .seconds(20)) { await healthy() }, "not serving again: \(store.output)")
    }
}
