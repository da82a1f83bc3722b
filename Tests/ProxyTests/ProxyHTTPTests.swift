import HTTP
import KV
import Platform
import Proxy
import Synchronization
import TestSupport
import Testing

/// HTTP/1.1 through the proxy, checked on the wire.
@Suite(.timeLimit(.minutes(2)))
struct ProxyHTTPTests {
    /// An upstream answering by path: `/status/N` with status N, `/chunked` with a chunked body,
    /// anything else with the echo.
    static let statusHandler = ClosureHandler { request, responder in
        let path = request.head.path
        if path.hasPrefix("/status/"), let status = Int(path.dropFirst(8)) {
            var headers: HTTPHeaders = ["ETag": "\"v1\""]
            if status == 304 { headers.add("Content-Length", "99") }
            responder.respond(
                HTTPResponse(status: status, headers: headers, body: status == 200 ? Array("hi".utf8) : []))
        } else if path == "/chunked" {
            let writer = responder.startStream(status: 200, headers: ["Content-Type": "text/plain"])
            writer.write(Array("one,".utf8))
            writer.write(Array("two,".utf8))
            writer.write(Array("three".utf8))
            writer.finish()
        } else {
            responder.respond(TestUpstream.echo(name: "u", request: request))
        }
    }

    private func withApp(_ body: (ProxyFixture, TestUpstream) async throws -> Void) async throws {
        let fixture = try ProxyFixture()
        let upstream = try TestUpstream(name: "u", handler: ProxyHTTPTests.statusHandler)
        defer { upstream.stop() }
        try await fixture.register("app", "1", upstream.address)
        try await body(fixture, upstream)
        await fixture.stop()
    }

    @Test func upstreamSeesForwardingHeadersAndNoHopByHopFields() async throws {
        try await withApp { fixture, _ in
            let wire = try Wire(port: fixture.port)
            wire.send(
                "GET /h HTTP/1.1\r\nHost: app.example.test\r\nConnection: keep-alive, X-Private\r\nX-Private: 1\r\n"
                    + "Keep-Alive: timeout=5\r\nTE: trailers\r\nX-Forwarded-For: 10.1.1.1\r\nX-Kept: yes\r\n\r\n")
            let response = wire.readResponse()
            #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(response.contains("x-forwarded-for: 10.1.1.1, 127.0.0.1\n"))
            #expect(response.contains("x-real-ip: 127.0.0.1\n"))
            #expect(response.contains("x-forwarded-proto: http\n"))
            #expect(response.contains("x-forwarded-host: app.example.test\n"))
            #expect(response.contains("host: app.example.test\n"))
            #expect(response.contains("x-kept: yes\n"))
            #expect(!response.contains("x-private"))
            #expect(!response.contains("keep-alive: timeout"))
            #expect(!response.contains("\nte: "))
            #expect(!response.lowercased().contains("\nvia:"))
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderOnOneConnection() async throws {
        try await withApp { fixture, _ in
            let wire = try Wire(port: fixture.port)
            wire.send(
                (1...5).map { "GET /n\($0) HTTP/1.1\r\nHost: app.example.test\r\n\r\n" }.joined())
            for index in 1...5 {
                let response = wire.readResponse()
                #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
                #expect(response.contains("GET /n\(index)\n"))
            }
            wire.send("GET /last HTTP/1.1\r\nHost: app.example.test\r\nConnection: close\r\n\r\n")
            let last = wire.readResponse()
            #expect(last.contains("Connection: close\r\n"))
            #expect(wire.isClosedByPeer())
        }
    }

    @Test func chunkedRequestBodyIsStreamedToTheUpstream() async throws {
        try await withApp { fixture, _ in
            let wire = try Wire(port: fixture.port)
            wire.send(
                "POST /up HTTP/1.1\r\nHost: app.example.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
            let response = wire.readResponse()
            #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(response.contains("body-bytes=11\n"))
            #expect(response.contains("transfer-encoding: chunked\n"))
        }
    }

    @Test func chunkedResponseIsStreamedToTheClient() async throws {
        try await withApp { fixture, _ in
            let wire = try Wire(port: fixture.port)
            wire.send("GET /chunked HTTP/1.1\r\nHost: app.example.test\r\n\r\n")
            let text = wire.read(until: "0\r\n\r\n")
            #expect(text.contains("Transfer-Encoding: chunked\r\n"))
            #expect(text.hasSuffix("\r\n\r\n4\r\none,\r\n4\r\ntwo,\r\n5\r\nthree\r\n0\r\n\r\n"))
        }
    }

    @Test func headAnswerHasTheLengthButNoBody() async throws {
        try await withApp { fixture, _ in
            let wire = try Wire(port: fixture.port)
            wire.send("HEAD /status/200 HTTP/1.1\r\nHost: app.example.test\r\n\r\n")
            let head = wire.read(until: "\r\n\r\n")
            #expect(head.contains("Content-Length: 2\r\n"))
            // The next answer follows right after the empty line: no body bytes in between.
            wire.send("GET /status/200 HTTP/1.1\r\nHost: app.example.test\r\n\r\n")
            #expect(wire.readResponse().hasPrefix("HTTP/1.1 200 OK\r\n"))
        }
    }

    @Test(arguments: [204, 304])
    func answerWithoutBodyKeepsTheConnectionInStep(_ status: Int) async throws {
        try await withApp { fixture, _ in
            let wire = try Wire(port: fixture.port)
            wire.send("GET /status/\(status) HTTP/1.1\r\nHost: app.example.test\r\n\r\n")
            let first = wire.read(until: "\r\n\r\n")
            #expect(first.hasPrefix("HTTP/1.1 \(status) "))
            #expect(!first.contains("Transfer-Encoding"))
            wire.send("GET /status/200 HTTP/1.1\r\nHost: app.example.test\r\n\r\n")
            #expect(wire.readResponse().hasSuffix("\r\n\r\nhi"))
        }
    }

    @Test func expectContinueIsAnsweredBeforeTheBodyIsSent() async throws {
        try await withApp { fixture, _ in
            let wire = try Wire(port: fixture.port)
            wire.send(
                "PUT /doc HTTP/1.1\r\nHost: app.example.test\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            #expect(wire.read(until: "\r\n\r\n") == "HTTP/1.1 100 Continue\r\n\r\n")
            wire.send("data")
            let response = wire.readResponse()
            #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(response.contains("body-bytes=4\n"))
            #expect(!response.contains("expect:"))
        }
    }

    @Test func http10ClientGetsKeepAliveOnlyWhenItAsks() async throws {
        try await withApp { fixture, _ in
            let wire = try Wire(port: fixture.port)
            wire.send("GET /a HTTP/1.0\r\nHost: app.example.test\r\nConnection: keep-alive\r\n\r\n")
            #expect(wire.readResponse().contains("Connection: keep-alive\r\n"))
            wire.send("GET /b HTTP/1.0\r\nHost: app.example.test\r\n\r\n")
            #expect(wire.readResponse().contains("Connection: close\r\n"))
            #expect(wire.isClosedByPeer())
        }
    }

    @Test func upstreamConnectionsAreReusedAcrossRequests() async throws {
        try await withApp { fixture, upstream in
            for _ in 0..<20 {
                let status = try await fixture.get("app").status
                #expect(status == 200)
            }
            #expect(upstream.server.connectionsAccepted <= 2)
        }
    }
}
