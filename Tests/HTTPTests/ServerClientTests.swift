import Foundation
import HTTP
import Platform
import Synchronization
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(1)))
struct ServerClientTests {
    @Test func requestAndResponseMakeTheRoundTrip() async throws {
        try await withServer(handler: echo) { _, endpoint in
            try await withClient { client in
                let response = try await client.send(
                    HTTPClientRequest(method: "POST", path: "/a?b=1", body: Array("hi".utf8)), to: endpoint)
                #expect(response.status == 200)
                #expect(response.headers["content-type"] == "text/plain")
                #expect(String(decoding: response.body, as: UTF8.self) == "POST /a?b=1 hi")
            }
        }
    }

    @Test func keepAliveReusesOneConnectionForManyRequests() async throws {
        try await withServer(handler: echo) { server, endpoint in
            try await withClient { client in
                for index in 0..<20 {
                    let response = try await client.send(HTTPClientRequest(path: "/\(index)"), to: endpoint)
                    #expect(String(decoding: response.body, as: UTF8.self) == "GET /\(index) ")
                }
            }
            #expect(server.connectionsAccepted == 1)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderWhenHandlersAnswerOutOfOrder() async throws {
        let waiting = Mutex<[(String, HTTPResponder)]>([])
        let handler = ClosureHandler { request, responder in
            let all = waiting.withLock { list -> [(String, HTTPResponder)]? in
                list.append((request.head.path, responder))
                return list.count == 3 ? list : nil
            }
            guard let all else { return }
            // Answer the last request first, each from its own thread.
            for (path, responder) in all.reversed() {
                Thread.detachNewThread { responder.respond(HTTPResponse(status: 200, body: Array(path.utf8))) }
            }
        }
        try await withServer(threads: 2, handler: handler) { _, endpoint in
            let raw = try RawConnection(port: endpoint.port)
            raw.send(
                "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
            )
            let text = raw.readToEnd()
            let bodies = text.components(separatedBy: "\r\n\r\n").dropFirst().map { String($0.prefix(2)) }
            #expect(bodies == ["/1", "/2", "/3"], "\(text)")
            #expect(text.contains("Connection: close"))
        }
    }

    @Test func chunkedRequestBodiesAreDecoded() async throws {
        try await withServer(handler: echo) { _, endpoint in
            let raw = try RawConnection(port: endpoint.port)
            raw.send(
                "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3;ext=1\r\nabc\r\n4\r\ndefg\r\n0\r\nTrailer: x\r\n\r\n"
            )
            let text = raw.readToEnd()
            #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(text.hasSuffix("\r\n\r\nPOST /c abcdefg"))
        }
    }

    @Test func expectContinueGetsAnInterimAnswerBeforeTheBody() async throws {
        try await withServer(handler: echo) { _, endpoint in
            let raw = try RawConnection(port: endpoint.port)
            raw.send(
                "PUT /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n")
            #expect(raw.read(until: "\r\n\r\n") == "HTTP/1.1 100 Continue\r\n\r\n")
            raw.send("ok")
            #expect(raw.readToEnd().hasSuffix("PUT /e ok"))
        }
    }

    @Test func streamedResponseArrivesChunkByChunkBeforeItFinishes() async throws {
        let release = Mutex<HTTPBodyWriter?>(nil)
        let handler = ClosureHandler { _, responder in
            let writer = responder.startStream(status: 200, headers: ["Content-Type": "application/json"])
            writer.write(Array("first\n".utf8))
            release.withLock { $0 = writer }
        }
        try await withServer(handler: handler) { _, endpoint in
            try await withClient { client in
                let stream = try await client.stream(HTTPClientRequest(method: "POST", path: "/watch"), to: endpoint)
                #expect(stream.status == 200)
                #expect(stream.headers["transfer-encoding"] == "chunked")
                var iterator = stream.body.makeAsyncIterator()
                let first = try await iterator.next()
                #expect(first == Array("first\n".utf8))
                let writer = try #require(release.withLock { $0 })
                #expect(!writer.isClosed)
                writer.write(Array("second\n".utf8))
                writer.finish()
                var rest: [UInt8] = []
                while let chunk = try await iterator.next() { rest += chunk }
                #expect(rest == Array("second\n".utf8))
            }
        }
    }

    @Test func writerOnCloseFiresWhenTheClientCancels() async throws {
        let closed = AsyncStream<Void>.makeStream()
        let handler = ClosureHandler { _, responder in
            let writer = responder.startStream(status: 200, headers: HTTPHeaders())
            writer.onClose { closed.continuation.yield() }
            writer.write(Array("hello".utf8))
        }
        try await withServer(handler: handler) { _, endpoint in
            try await withClient { client in
                let stream = try await client.stream(HTTPClientRequest(path: "/watch"), to: endpoint)
                var iterator = stream.body.makeAsyncIterator()
                _ = try await iterator.next()
                stream.cancel()
                var events = closed.stream.makeAsyncIterator()
                #expect(await events.next() != nil)
            }
        }
    }

    struct Rejection: Sendable, CustomTestStringConvertible {
        let name: String
        let request: String
        let status: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        Rejection(
            name: "body too large", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n",
            status: "413 Content Too Large"),
        Rejection(
            name: "URI too long",
            request: "GET /" + String(repeating: "x", count: 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n",
            status: "414 URI Too Long"),
        Rejection(
            name: "headers too large",
            request: "GET / HTTP/1.1\r\nHost: a\r\n"
                + String(repeating: "X-Filler: " + String(repeating: "y", count: 990) + "\r\n", count: 70) + "\r\n",
            status: "431 Request Header Fields Too Large"),
        Rejection(name: "bad syntax", request: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", status: "400 Bad Request"),
        Rejection(
            name: "smuggling",
            request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            status: "400 Bad Request"),
    ])
    func badRequestsAreAnsweredWithTheirStatusThenClosed(_ rejection: Rejection) async throws {
        try await withServer(configure: { $0.limits.maxBody = 10 }, handler: echo) { _, endpoint in
            let raw = try RawConnection(port: endpoint.port)
            raw.send(rejection.request)
            let text = raw.readToEnd()
            #expect(text.hasPrefix("HTTP/1.1 \(rejection.status)\r\n"), "\(text.prefix(80))")
            #expect(text.contains("Connection: close\r\n"))
        }
    }

    @Test func garbageBytesAreRejectedAndTheServerKeepsServing() async throws {
        try await withServer(handler: echo) { _, endpoint in
            let raw = try RawConnection(port: endpoint.port)
            raw.send((0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) })
            #expect(raw.readToEnd().hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            try await withClient { client in
                let response = try await client.send(HTTPClientRequest(path: "/after"), to: endpoint)
                #expect(response.status == 200)
            }
        }
    }

    @Test func stopClosesKeepAliveAndStreamingConnections() async throws {
        let closed = AsyncStream<Void>.makeStream()
        let handler = ClosureHandler { request, responder in
            guard request.head.path == "/watch" else { return echo.handle(request, responder: responder) }
            let writer = responder.startStream(status: 200, headers: HTTPHeaders())
            writer.onClose { closed.continuation.yield() }
            writer.write(Array("x".utf8))
        }
        let server = HTTPServer(
            configuration: HTTPServer.Configuration(), handler: handler, log: Log(component: "test", level: .error))
        let endpoint = Endpoint(host: "127.0.0.1", port: try server.start())
        defer { server.stop() }
        try await withClient { client in
            _ = try await client.send(HTTPClientRequest(path: "/keep"), to: endpoint)
            let stream = try await client.stream(HTTPClientRequest(path: "/watch"), to: endpoint)
            var iterator = stream.body.makeAsyncIterator()
            _ = try await iterator.next()
            server.stop()
            server.stop()
            var events = closed.stream.makeAsyncIterator()
            #expect(await events.next() != nil)
            await #expect(throws: HTTPClientError.self) { while try await iterator.next() != nil {} }
            await #expect(throws: HTTPClientError.self) {
                try await client.send(HTTPClientRequest(path: "/again"), to: endpoint)
            }
        }
    }

    @Test func refusedConnectionGivesAClearError() async throws {
        let port = try await withServer(handler: echo) { _, endpoint in endpoint.port }
        try await withClient { client in
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.send(HTTPClientRequest(path: "/"), to: Endpoint(host: "127.0.0.1", port: port))
            }
            #expect(error?.description == "connect http://127.0.0.1:\(port): Connection refused")
        }
    }

    @Test func requestTimeoutFiresWhenTheHandlerNeverAnswers() async throws {
        try await withServer(handler: ClosureHandler { _, _ in }) { _, endpoint in
            try await withClient { client in
                let error = await #expect(throws: HTTPClientError.self) {
                    try await client.send(HTTPClientRequest(path: "/"), to: endpoint, timeout: .milliseconds(100))
                }
                #expect(error?.description == "request to \(endpoint): no complete response within 0.1 seconds")
            }
        }
    }

    @Test func cancellingSendCancelsTheRequest() async throws {
        let arrived = AsyncStream<Void>.makeStream()
        try await withServer(handler: ClosureHandler { _, _ in arrived.continuation.yield() }) { _, endpoint in
            try await withClient { client in
                let task = Task {
                    try await client.send(HTTPClientRequest(path: "/"), to: endpoint, timeout: .seconds(30))
                }
                var events = arrived.stream.makeAsyncIterator()
                _ = await events.next()
                task.cancel()
                await #expect(throws: CancellationError.self) { try await task.value }
            }
        }
    }

    /// The server's close reaches the idle pooled connection first, so the pool drops it and the next
    /// request opens a fresh one (the stale-retry race itself is driven in ClientBoundsTests).
    @Test func connectionClosedWhileIdleIsDroppedFromThePool() async throws {
        // A port outside the ephemeral range, so no parallel test's client takes it between the two servers.
        let port = FreePort.next()
        try await withClient { client in
            try await withServer(configure: { $0.port = port }, handler: echo) { _, endpoint in
                _ = try await client.send(HTTPClientRequest(path: "/first"), to: endpoint)
            }
            try await withServer(configure: { $0.port = port }, handler: echo) { _, endpoint in
                let response = try await client.send(HTTPClientRequest(path: "/second"), to: endpoint)
                #expect(String(decoding: response.body, as: UTF8.self) == "GET /second ")
            }
        }
    }

    @Test func bindingAPortInUseSaysAddressAlreadyInUse() async throws {
        try await withServer(handler: echo) { _, endpoint in
            var configuration = HTTPServer.Configuration()
            configuration.port = endpoint.port
            let second = HTTPServer(
                configuration: configuration, handler: echo, log: Log(component: "test", level: .error))
            defer { second.stop() }
            let error = #expect(throws: SystemError.self) { try second.start() }
            #expect(error?.description == "bind 127.0.0.1:\(endpoint.port): Address already in use")
        }
    }

    @Test func serverListensOnIPv6Loopback() async throws {
        try await withServer(configure: { $0.host = "::1" }, handler: echo) { _, endpoint in
            try await withClient { client in
                let response = try await client.send(
                    HTTPClientRequest(path: "/v6"), to: Endpoint(host: "::1", port: endpoint.port))
                #expect(response.status == 200)
            }
        }
    }
}
