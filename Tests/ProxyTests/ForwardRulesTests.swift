import HTTP
import Proxy
import Testing

/// The header rules as bytes in, bytes out: no sockets.
struct ForwardRulesTests {
    private func requestHead(_ fields: [(String, String)], method: String = "GET") -> HTTPRequestHead {
        HTTPRequestHead(method: method, target: "/x", headers: HTTPHeaders(fields))
    }

    private func forwarded(
        _ head: HTTPRequestHead, body: RequestBody = .none, upgrade: String? = nil
    ) -> String {
        var out: [UInt8] = []
        ForwardRules.writeRequestHead(head, body: body, clientIP: "127.0.0.9", upgrade: upgrade, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func requestKeepsEndToEndFieldsAndAddsForwardingFields() {
        let text = forwarded(requestHead([("Host", "blog.example.test"), ("Accept", "text/html"), ("Cookie", "a=1")]))
        #expect(
            text == "GET /x HTTP/1.1\r\nHost: blog.example.test\r\nAccept: text/html\r\nCookie: a=1\r\n"
                + "X-Forwarded-For: 127.0.0.9\r\nX-Real-IP: 127.0.0.9\r\nX-Forwarded-Proto: http\r\n"
                + "X-Forwarded-Host: blog.example.test\r\n\r\n")
    }

    @Test(arguments: [
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade", "Proxy-Authorization",
        "Proxy-Authenticate",
    ])
    func hopByHopFieldIsNotForwarded(_ name: String) {
        let text = forwarded(requestHead([("Host", "a.example.test"), (name, "x")]))
        #expect(!text.lowercased().contains("\r\n\(name.lowercased()):"))
    }

    @Test func fieldsNamedInConnectionAreNotForwarded() {
        let text = forwarded(
            requestHead([
                ("Host", "a.example.test"), ("Connection", "keep-alive, X-Secret , x-other"), ("X-Secret", "1"),
                ("X-Other", "2"), ("X-Kept", "3"),
            ]))
        #expect(!text.contains("X-Secret"))
        #expect(!text.contains("X-Other"))
        #expect(text.contains("X-Kept: 3\r\n"))
    }

    @Test func existingForwardedForGetsTheClientAppended() {
        let text = forwarded(
            requestHead([("Host", "a.example.test"), ("X-Forwarded-For", "10.0.0.1"), ("X-Forwarded-For", "10.0.0.2")]))
        #expect(text.contains("X-Forwarded-For: 10.0.0.1, 10.0.0.2, 127.0.0.9\r\n"))
        #expect(text.split(separator: "\r\n").filter { $0.hasPrefix("X-Forwarded-For") }.count == 1)
    }

    @Test func clientSuppliedRealIPProtoAndForwardedHostAreReplaced() {
        let text = forwarded(
            requestHead([
                ("Host", "a.example.test"), ("X-Real-IP", "6.6.6.6"), ("X-Forwarded-Proto", "https"),
                ("X-Forwarded-Host", "evil"),
            ]))
        #expect(!text.contains("6.6.6.6"))
        #expect(!text.contains("https"))
        #expect(!text.contains("evil"))
    }

    @Test func noViaIsAddedAndExpectIsAnsweredByTheProxy() {
        let text = forwarded(
            requestHead([("Host", "a.example.test"), ("Expect", "100-continue")], method: "POST"), body: .length(5))
        #expect(!text.lowercased().contains("via:"))
        #expect(!text.lowercased().contains("expect:"))
    }

    @Test func bodyFramingIsRewrittenFromTheParsedBody() {
        let head = requestHead(
            [("Host", "a.example.test"), ("Content-Length", "5"), ("Transfer-Encoding", "gzip")], method: "POST")
        #expect(forwarded(head, body: .length(5)).hasSuffix("Content-Length: 5\r\n\r\n"))
        #expect(forwarded(head, body: .chunked).hasSuffix("Transfer-Encoding: chunked\r\n\r\n"))
        #expect(forwarded(head, body: .none).hasSuffix("Content-Length: 0\r\n\r\n"))
        #expect(!forwarded(requestHead([("Host", "a.example.test")])).contains("Content-Length"))
    }

    @Test func upgradeRequestCarriesConnectionUpgradeAndTheProtocol() {
        let head = requestHead([("Host", "a.example.test"), ("Connection", "Upgrade"), ("Upgrade", "websocket")])
        #expect(ForwardRules.upgradeProtocol(of: head) == "websocket")
        #expect(forwarded(head, upgrade: "websocket").hasSuffix("Connection: upgrade\r\nUpgrade: websocket\r\n\r\n"))
        #expect(ForwardRules.upgradeProtocol(of: requestHead([("Host", "a"), ("Upgrade", "websocket")])) == nil)
    }

    private func response(
        _ status: Int, _ fields: [(String, String)], framing: ClientFraming, connection: String? = nil
    ) -> String {
        var out: [UInt8] = []
        ForwardRules.writeResponseHead(
            HTTPResponseHead(status: status, headers: HTTPHeaders(fields)), framing: framing, connection: connection,
            upgrade: nil, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func responseDropsHopByHopAndSetsItsOwnFraming() {
        let text = response(
            200,
            [
                ("Server", "up"), ("Connection", "close, X-Hop"), ("X-Hop", "1"), ("Keep-Alive", "timeout=5"),
                ("Transfer-Encoding", "chunked"),
            ],
            framing: .chunked)
        #expect(text == "HTTP/1.1 200 OK\r\nServer: up\r\nTransfer-Encoding: chunked\r\n\r\n")
    }

    @Test func headAnd304AnswersKeepTheUpstreamLengthWithoutABody() {
        #expect(response(200, [("Content-Length", "42")], framing: .none).contains("Content-Length: 42\r\n"))
        #expect(response(304, [("Content-Length", "42")], framing: .none).contains("Content-Length: 42\r\n"))
        #expect(!response(204, [("Content-Length", "0")], framing: .none).contains("Content-Length"))
    }

    @Test(arguments: [
        (200, ResponseFraming.chunked, false, HTTPVersion.http1_1, ClientFraming.chunked),
        (200, .untilClose, false, .http1_1, .chunked),
        (200, .untilClose, false, .http1_0, .untilClose),
        (200, .length(7), false, .http1_1, .length(7)),
        (200, .length(7), true, .http1_1, ClientFraming.none),
        (204, .none, false, .http1_1, ClientFraming.none),
        (304, .none, false, .http1_1, ClientFraming.none),
        (200, .none, false, .http1_1, .length(0)),
    ])
    func clientFramingFollowsStatusMethodAndVersion(
        _ status: Int, _ upstream: ResponseFraming, _ isHEAD: Bool, _ version: HTTPVersion, _ expected: ClientFraming
    ) {
        #expect(
            ForwardRules.clientFraming(
                status: status, upstream: upstream, requestIsHEAD: isHEAD, clientVersion: version)
                == expected)
    }

    @Test func localAnswerIsOneShortPlainTextLine() {
        var out: [UInt8] = []
        ForwardRules.writeLocalResponse(status: 502, message: "boom", close: true, isHEAD: false, into: &out)
        #expect(
            String(decoding: out, as: UTF8.self)
                == "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 22\r\n"
                + "Connection: close\r\n\r\n502 Bad Gateway: boom\n")
    }
}
