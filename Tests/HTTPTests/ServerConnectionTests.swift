import Dispatch
import HTTP
import Platform
import Synchronization
import TestSupport
import Testing

/// How one server connection ends and resumes: lingering after a rejection, input held at the
/// pipelining limit, a stream to a peer that stops reading, a slow head, a peer that half-closes.
// Serialized: the tests read with blocking calls on the cooperative pool, and some answers come from
// tasks that need a thread of that same pool.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ServerConnectionTests {
    private func stillServes(_ endpoint: Endpoint) async throws -> Bool {
        let client = HTTPClient()
        defer { client.shutdown() }
        return try await client.send(HTTPClientRequest(path: "/other"), to: endpoint).status == 200
    }

    private let answerPath = ClosureHandler { request, responder in
        responder.respond(HTTPResponse(status: 200, body: Array(request.head.path.utf8)))
    }

    @Test func rejectedRequestIsAnsweredThenInputIsDrainedInsteadOfReset() async throws {
        try await withServer(handler: answerPath) { _, endpoint in
            let connection = try RawConnection(port: endpoint.port)
            connection.send("GET / HTTP/1.1\r\n\r\n" + String(repeating: "x", count: 100_000))
            let answer = connection.readToEnd()
            #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            #expect(answer.hasSuffix("\r\n\r\n400 Bad Request: HTTP/1.1 request without a Host header\n"))
            // The server sent FIN but still reads: what the client sends now is dropped, not reset.
            #expect(RawSocket.trySend(connection.fd, Array("late".utf8)))
            #expect(RawSocket.trySend(connection.fd, Array("later".utf8)))
            #expect(try await stillServes(endpoint))
        }
    }

    @Test func pipelinedRequestsHeldAtTheLimitAreAllAnsweredInOrder() async throws {
        // Answered from other threads, so unanswered requests pile up to the limit.
        let later = ClosureHandler { request, responder in
            let path = request.head.path
            Task.detached { responder.respond(HTTPResponse(status: 200, body: Array(path.utf8))) }
        }
        try await withServer(configure: { $0.maxPipelinedRequests = 2 }, handler: later) { _, endpoint in
            let connection = try RawConnection(port: endpoint.port)
            connection.send((0..<10).map { "GET /p\($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined())
            let answers = connection.read(until: "/p9")
            let bodies = answers.components(separatedBy: "\r\n\r\n").dropFirst().map { $0.prefix(3) }
            #expect(bodies == (0..<10).map { "/p\($0)".prefix(3) })
        }
    }

    @Test func streamToAPeerThatStopsReadingIsCutAtTheBufferLimit() async throws {
        let writers = Mutex<[HTTPBodyWriter]>([])
        let handler = ClosureHandler { request, responder in
            if request.head.path == "/other" { return responder.respond(HTTPResponse(status: 200)) }
            writers.withLock { $0.append(responder.startStream(status: 200, headers: [:])) }
        }
        try await withServer(configure: { $0.streamBufferLimit = 1024 * 1024 }, handler: handler) { _, endpoint in
            let connection = try RawConnection(port: endpoint.port)
            connection.send("GET /watch HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await eventually { writers.withLock { $0.count } == 1 })
            let writer = try #require(writers.withLock { $0.first })
            // Written from another thread, as a watch is; bounded at 256 MiB should the cut never come.
            let piece = [UInt8](repeating: 0x61, count: 64 * 1024)
            for _ in 0..<4096 where !writer.isClosed { writer.write(piece) }
            #expect(await eventually { writer.isClosed })
            #expect(try await stillServes(endpoint))
        }
    }

    @Test func headNotFinishedInTimeClosesTheConnectionWithoutAnAnswer() async throws {
        try await withServer(configure: { $0.headerTimeout = .seconds(1) }, handler: answerPath) { _, endpoint in
            let connection = try RawConnection(port: endpoint.port)
            connection.send("GET /slow HTTP/1.1\r\nHo")
            #expect(connection.readToEnd() == "")
            // A raw client sends its head at once: a pooled client's hop between connect and send could
            // outlast this short header deadline on a loaded machine.
            let other = try RawConnection(port: endpoint.port)
            other.send("GET /other HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(other.read(until: "/other").hasPrefix("HTTP/1.1 200 OK\r\n"))
        }
    }

    @Test func peerThatHalfClosesAfterItsRequestStillGetsTheAnswer() async throws {
        try await withServer(handler: answerPath) { _, endpoint in
            let connection = try RawConnection(port: endpoint.port)
            connection.send("GET /half HTTP/1.1\r\nHost: x\r\n\r\n")
            RawSocket.shutdownWrite(connection.fd)
            let answer = connection.readToEnd()
            #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(answer.hasSuffix("\r\n\r\n/half"))
        }
    }

    @Test func peerThatHalfClosesGetsEveryAnswerStillOwedFromOtherThreads() async throws {
        // Answered later from another thread: when the FIN is read, both answers are still owed.
        let later = ClosureHandler { request, responder in
            let path = request.head.path
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) {
                responder.respond(HTTPResponse(status: 200, body: Array(path.utf8)))
            }
        }
        try await withServer(handler: later) { _, endpoint in
            let connection = try RawConnection(port: endpoint.port)
            connection.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n")
            RawSocket.shutdownWrite(connection.fd)
            let answer = connection.readToEnd()
            #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(answer.contains("\r\n\r\n/oneHTTP/1.1 200 OK\r\n"))
            #expect(answer.hasSuffix("\r\n\r\n/two"))
        }
    }
}
