import KV
import Platform
import Proxy
import TestSupport
import Testing

/// What the internet sends: smuggling shapes, oversized heads, slow clients, floods, garbage.
@Suite(.timeLimit(.minutes(3)))
struct ProxyHostileInputTests {
    private func withApp(
        configure: (inout ProxyConfiguration) -> Void = { _ in },
        _ body: (ProxyFixture, TestUpstream) async throws -> Void
    ) async throws {
        let fixture = try ProxyFixture(configure: configure)
        let upstream = try TestUpstream(name: "u")
        defer { upstream.stop() }
        try await fixture.register("app", "1", upstream.address)
        try await body(fixture, upstream)
        await fixture.stop()
    }

    static let smuggling: [(String, String)] = [
        (
            "Content-Length and Transfer-Encoding",
            "POST / HTTP/1.1\r\nHost: app.example.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        ),
        (
            "two different Content-Lengths",
            "POST / HTTP/1.1\r\nHost: app.example.test\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde"
        ),
        ("Content-Length with a sign", "POST / HTTP/1.1\r\nHost: app.example.test\r\nContent-Length: +4\r\n\r\nabcd"),
        (
            "Transfer-Encoding not ending in chunked",
            "POST / HTTP/1.1\r\nHost: app.example.test\r\nTransfer-Encoding: chunked, identity\r\n\r\n"
        ),
        ("space before the colon", "GET / HTTP/1.1\r\nHost: app.example.test\r\nTransfer-Encoding : chunked\r\n\r\n"),
        ("obsolete line folding", "GET / HTTP/1.1\r\nHost: app.example.test\r\nX-A: 1\r\n  folded\r\n\r\n"),
        ("bare LF", "GET / HTTP/1.1\nHost: app.example.test\n\n"),
        ("two Host headers", "GET / HTTP/1.1\r\nHost: app.example.test\r\nHost: other.example.test\r\n\r\n"),
        ("no Host in HTTP/1.1", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"),
        (
            "bad chunk size",
            "POST / HTTP/1.1\r\nHost: app.example.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"
        ),
        ("NUL in a header value", "GET / HTTP/1.1\r\nHost: app.example.test\r\nX-A: a\u{0}b\r\n\r\n"),
        ("garbage", "\u{16}\u{3}\u{1}\u{0}\u{a5}\u{1}\u{0}\u{0}"),
    ]

    @Test(arguments: smuggling)
    func smugglingShapesAreRefusedWith400AndTheConnectionCloses(_ name: String, _ request: String) async throws {
        try await withApp { fixture, upstream in
            let wire = try Wire(port: fixture.port)
            wire.send(request)
            let answer = wire.readToEnd()
            #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(name)")
            #expect(answer.contains("Connection: close\r\n"), "\(name)")
            #expect(upstream.served == 0, "\(name): nothing reached the upstream")
        }
    }

    @Test func tooLongRequestLineGets414AndTooLargeHeadGets431() async throws {
        try await withApp { fixture, _ in
            let long = try Wire(port: fixture.port)
            long.send("GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: app.example.test\r\n\r\n")
            #expect(long.readToEnd().hasPrefix("HTTP/1.1 414 URI Too Long\r\n"))
            let large = try Wire(port: fixture.port)
            large.send(
                "GET / HTTP/1.1\r\nHost: app.example.test\r\n"
                    + (0..<200).map { "X-H\($0): \(String(repeating: "v", count: 400))\r\n" }.joined() + "\r\n")
            #expect(large.readToEnd().hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"))
        }
    }

    @Test func slowHeaderClientGets408WhileOthersAreServed() async throws {
        try await withApp(configure: { $0.headerTimeout = .seconds(2) }) { fixture, _ in
            // The others' connection is opened first: a fresh connection also has the head deadline.
            #expect(try await fixture.get("app").status == 200)
            let slow = try Wire(port: fixture.port)
            slow.send("GET / HTTP/1.1\r\nHost: app.exa")
            // While the slow client dawdles, others are answered.
            for _ in 0..<20 { #expect(try await fixture.get("app").status == 200) }
            let answer = slow.readToEnd()
            #expect(answer.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
            #expect(answer.hasSuffix("408 Request Timeout: request head not received in time\n"))
        }
    }

    @Test func trickledBodyGets408() async throws {
        try await withApp(configure: { $0.bodyTimeout = .seconds(1) }) { fixture, _ in
            let slow = try Wire(port: fixture.port)
            slow.send("POST / HTTP/1.1\r\nHost: app.example.test\r\nContent-Length: 100\r\n\r\nabc")
            let answer = slow.readToEnd()
            #expect(answer.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
            #expect(try await fixture.get("app").status == 200)
        }
    }

    @Test func idleKeepAliveConnectionIsClosed() async throws {
        try await withApp(configure: { $0.idleTimeout = .milliseconds(500) }) { fixture, _ in
            let wire = try Wire(port: fixture.port)
            wire.send("GET / HTTP/1.1\r\nHost: app.example.test\r\n\r\n")
            #expect(wire.readResponse().hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(wire.isClosedByPeer())
        }
    }

    @Test func connectionsBeyondTheCapAreClosedAndOthersKeepWorking() async throws {
        try await withApp(configure: {
            $0.maxConnections = 4; $0.workers = 1
        }) { fixture, _ in
            let held = try (0..<4).map { _ in try Wire(port: fixture.port) }
            for wire in held { wire.send("GET / HTTP/1.1\r\nHost: app.example.test\r\n\r\n") }
            for wire in held { #expect(wire.readResponse().hasPrefix("HTTP/1.1 200 OK\r\n")) }
            let extra = try Wire(port: fixture.port)
            extra.send("GET / HTTP/1.1\r\nHost: app.example.test\r\n\r\n")
            #expect(extra.readToEnd() == "")
            held[0].send("GET / HTTP/1.1\r\nHost: app.example.test\r\n\r\n")
            #expect(held[0].readResponse().hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(fixture.logSink.written.filter { $0.contains("connection cap reached") }.count == 1)
        }
    }

    @Test func websocketIsTunnelledBothWays() async throws {
        let fixture = try ProxyFixture()
        let echo = try WebSocketEcho()
        defer { echo.stop() }
        try await fixture.register("chat", "1", "127.0.0.1:\(echo.port)")
        let wire = try Wire(port: fixture.port)
        wire.send(
            "GET /ws HTTP/1.1\r\nHost: chat.example.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        let head = wire.read(until: "\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
        #expect(head.contains("Upgrade: websocket\r\n"))
        #expect(head.contains("Connection: upgrade\r\n"))
        for message in ["hello", "through the proxy", "third"] {
            wire.send(clientTextFrame(message))
            #expect(
                wire.read(until: message) == String(decoding: [0x81, UInt8(message.utf8.count)], as: UTF8.self)
                    + message)
        }
        wire.send([0x88, 0x80, 1, 2, 3, 4])
        #expect(wire.readToEnd() == String(decoding: [0x88, 0], as: UTF8.self))
        await fixture.stop()
    }

    /// Seeded mutations of valid requests, for a bounded count: every answer is a well-formed response or
    /// a close, and the proxy keeps serving.
    @Test func mutatedRequestsGetAValidAnswerOrACloseAndNeverACrash() async throws {
        try await withApp(configure: {
            $0.headerTimeout = .milliseconds(300)
            $0.bodyTimeout = .milliseconds(300)
            $0.idleTimeout = .milliseconds(300)
        }) { fixture, _ in
            let seeds = [
                "GET /a?b=c HTTP/1.1\r\nHost: app.example.test\r\nAccept: */*\r\n\r\n",
                "POST /p HTTP/1.1\r\nHost: app.example.test\r\nContent-Length: 5\r\n\r\nhello",
                "POST /c HTTP/1.1\r\nHost: app.example.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                "GET / HTTP/1.0\r\nHost: app.example.test\r\nConnection: keep-alive\r\n\r\n",
            ].map { Array($0.utf8) }
            var generator = SplitMix(seed: 0x5eed)
            let interesting: [UInt8] = Array("\r\n :;,0\u{0}\u{7f}\u{ff}-chunkedContent-LengthHost".utf8)
            let started = ContinuousClock.now
            var count = 0
            while count < 150 && ContinuousClock.now - started < .seconds(20) {
                var bytes = seeds[Int(generator.next() % UInt64(seeds.count))]
                for _ in 0..<(1 + Int(generator.next() % 4)) {
                    let position = Int(generator.next() % UInt64(bytes.count))
                    switch generator.next() % 4 {
                    case 0: bytes[position] = interesting[Int(generator.next() % UInt64(interesting.count))]
                    case 1: bytes.insert(interesting[Int(generator.next() % UInt64(interesting.count))], at: position)
                    case 2: bytes.remove(at: position)
                    default: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                    }
                    if bytes.isEmpty { bytes = [0x20] }
                }
                let wire = try Wire(port: fixture.port, timeoutSeconds: 5)
                wire.send(bytes)
                let answer = wire.readToEnd(limit: 1 << 16)
                let valid = answer.isEmpty || answer.hasPrefix("HTTP/1.1 ")
                #expect(valid, "mutation \(count) got \(answer.prefix(40))")
                count += 1
            }
            #expect(count >= 50)
            #expect(try await fixture.get("app").status == 200)
        }
    }
}

/// A small deterministic generator, so a failing mutation can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
