import HTTP
import Platform
import Synchronization
import TestSupport
import Testing

/// The server's bounds against clients that pipeline, stream without reading, trickle or flood; each
/// test also checks that other clients are still served.
@Suite(.timeLimit(.minutes(2)))
struct ServerBoundsTests {
    final class Recorder: Sendable {
        let requests = Mutex<[String]>([])
        let writers = Mutex<[HTTPBodyWriter]>([])
        var count: Int { requests.withLock { $0.count } }
    }

    private func stillServes(_ endpoint: Endpoint) async throws -> Bool {
        let client = HTTPClient()
        defer { client.shutdown() }
        return try await client.send(HTTPClientRequest(path: "/other"), to: endpoint).status == 200
    }

    @Test func pipelinedRequestsBeyondTheLimitWaitUnparsedUntilEarlierOnesAreAnswered() async throws {
        let recorder = Recorder()
        let handler = ClosureHandler { request, responder in
            recorder.requests.withLock { $0.append(request.head.path) }
            if request.head.path == "/other" { responder.respond(HTTPResponse(status: 200)) }
        }
        try await withServer(configure: { $0.maxPipelinedRequests = 2 }, handler: handler) { _, endpoint in
            let connection = try RawConnection(port: endpoint.port)
            connection.send((0..<10).map { "GET /p\($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined())
            #expect(await eventually { recorder.count >= 2 })
            // One loop thread: once another client is answered, the pipelined bytes were processed.
            #expect(try await stillServes(endpoint))
            #expect(recorder.requests.withLock { $0.filter { $0.hasPrefix("/p") } } == ["/p0", "/p1"])
        }
    }

    @Test func streamQueuedBehindAnotherStreamIsCutAtTheBufferLimit() async throws {
        let recorder = Recorder()
        let closed = Atomic<Int>(0)
        let handler = ClosureHandler { request, responder in
            if request.head.path == "/other" { return responder.respond(HTTPResponse(status: 200)) }
            let writer = responder.startStream(status: 200, headers: [:])
            recorder.writers.withLock { $0.append(writer) }
            if request.head.path == "/busy" {
                // A watch with a lot to say, queued behind one that says nothing.
                let piece = [UInt8](repeating: 0x61, count: 64 * 1024)
                for _ in 0..<200 { writer.write(piece) }
            }
        }
        _ = closed
        try await withServer(configure: { $0.streamBufferLimit = 1024 * 1024 }, handler: handler) { _, endpoint in
            let connection = try RawConnection(port: endpoint.port)
            connection.send("GET /quiet HTTP/1.1\r\nHost: x\r\n\r\nGET /busy HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await eventually { recorder.writers.withLock { $0.count } == 2 })
            let writers = recorder.writers.withLock { $0 }
            #expect(await eventually { writers.allSatisfy(\.isClosed) })
            #expect(try await stillServes(endpoint))
        }
    }

    @Test func bodyThatTricklesInGets408AtTheBodyDeadline() async throws {
        try await withServer(configure: { $0.bodyTimeout = .seconds(1) }, handler: echo) { _, endpoint in
            let connection = try RawConnection(port: endpoint.port)
            connection.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
            let answer = Task.detached {
                connection.read(until: "\r\n\r\n")
            }
            // One byte every 100 ms keeps a per-read idle timer alive forever; the body deadline ends it.
            for _ in 0..<40 {
                connection.send("a")
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(await answer.value.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
            #expect(try await stillServes(endpoint))
        }
    }

    @Test func connectionsBeyondTheCapAreClosedAtOnce() async throws {
        try await withServer(configure: { $0.maxConnections = 3 }, handler: echo) { _, endpoint in
            let held = try (0..<3).map { _ in try RawConnection(port: endpoint.port) }
            for connection in held { connection.send("GET /h HTTP/1.1\r\nHost: x\r\n\r\n") }
            for connection in held { #expect(connection.read(until: "GET /h ").hasPrefix("HTTP/1.1 200 OK\r\n")) }
            let extra = try RawConnection(port: endpoint.port)
            #expect(extra.readToEnd() == "")
            held[0].send("GET /again HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(held[0].readToEnd().contains("GET /again"))
        }
    }
}
