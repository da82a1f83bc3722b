import Testing

/// The header rules on the wire, both ways, through the real worker and connections in memory: exactly
/// what the instance receives for what the client sent, and what the client receives for what the
/// instance answered.
struct MemoryHeaderTests {
    static let instance = "127.0.0.11:8080"

    /// Fields a client sends and the end-to-end fields the instance must see in their place.
    struct RequestRow: Sendable, CustomTestStringConvertible {
        let sent: [String]
        let kept: [String]
        var forwardedFor = ProxyDriver.clientIP
        var testDescription: String { sent.joined(separator: " | ") }
    }

    @Test(arguments: [
        RequestRow(
            sent: ["Accept: text/html", "Cookie: a=1", "Authorization: Basic eA=="],
            kept: ["Accept: text/html", "Cookie: a=1", "Authorization: Basic eA=="]),
        RequestRow(sent: ["Connection: keep-alive"], kept: []),
        RequestRow(sent: ["Keep-Alive: timeout=5", "Accept: */*"], kept: ["Accept: */*"]),
        RequestRow(sent: ["Proxy-Connection: keep-alive"], kept: []),
        RequestRow(sent: ["TE: trailers"], kept: []),
        RequestRow(sent: ["Trailer: X-Checksum"], kept: []),
        RequestRow(sent: ["Upgrade: h2c"], kept: []),
        RequestRow(sent: ["Proxy-Authorization: Basic eA=="], kept: []),
        RequestRow(
            sent: ["Connection: keep-alive, X-Secret , x-other", "X-Secret: 1", "X-Other: 2", "X-Kept: 3"],
            kept: ["X-Kept: 3"]),
        RequestRow(sent: ["X-Forwarded-For: 10.0.0.1"], kept: [], forwardedFor: "10.0.0.1, \(ProxyDriver.clientIP)"),
        RequestRow(
            sent: ["X-Forwarded-For: 10.0.0.1", "X-Forwarded-For: 10.0.0.2, 10.0.0.3"], kept: [],
            forwardedFor: "10.0.0.1, 10.0.0.2, 10.0.0.3, \(ProxyDriver.clientIP)"),
        RequestRow(sent: ["X-Real-IP: 6.6.6.6", "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.test"], kept: []),
    ])
    func requestFieldsReachTheInstanceByTheRules(_ row: RequestRow) throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryHeaderTests.instance]])
        let received = driver.exchange(wire(["GET / HTTP/1.1", "Host: blog.example.test"] + row.sent))
        #expect(received == answerFrom(MemoryHeaderTests.instance))
        #expect(
            driver.upstream(MemoryHeaderTests.instance).received
                == forwarded(fields: row.kept, forwardedFor: row.forwardedFor))
    }

    @Test func forwardingFieldsNameTheClientAddressOfEachConnection() throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryHeaderTests.instance]])
        let client = driver.connect(from: "198.51.100.23")
        client.send(wire(["GET / HTTP/1.1", "Host: blog.example.test"]))
        driver.run()
        #expect(
            driver.upstream(MemoryHeaderTests.instance).received
                == wire([
                    "GET / HTTP/1.1", "Host: blog.example.test", "X-Forwarded-For: 198.51.100.23",
                    "X-Real-IP: 198.51.100.23", "X-Forwarded-Proto: http", "X-Forwarded-Host: blog.example.test",
                ]))
    }

    /// Fields an instance answers with and those the client must see in their place.
    struct ResponseRow: Sendable, CustomTestStringConvertible {
        let sent: [String]
        let kept: [String]
        var testDescription: String { sent.joined(separator: " | ") }
    }

    @Test(arguments: [
        ResponseRow(
            sent: ["Content-Type: text/plain", "Set-Cookie: s=1"],
            kept: ["Content-Type: text/plain", "Set-Cookie: s=1"]),
        ResponseRow(sent: ["Connection: keep-alive"], kept: []),
        ResponseRow(sent: ["Keep-Alive: timeout=5, max=100"], kept: []),
        ResponseRow(sent: ["Proxy-Connection: keep-alive"], kept: []),
        ResponseRow(sent: ["Proxy-Authenticate: Basic realm=x"], kept: []),
        ResponseRow(sent: ["Trailer: X-Checksum"], kept: []),
        ResponseRow(sent: ["Upgrade: h2c"], kept: []),
        ResponseRow(
            sent: ["Connection: X-Private, x-hop", "X-Private: 1", "X-Hop: 2", "X-Public: 3"], kept: ["X-Public: 3"]),
    ])
    func responseFieldsReachTheClientByTheRules(_ row: ResponseRow) throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryHeaderTests.instance]])
        driver.upstream(MemoryHeaderTests.instance).replies = [
            .answer(wire(["HTTP/1.1 200 OK"] + row.sent + ["Content-Length: 2"], body: "ok"))
        ]
        let received = driver.exchange(wire(["GET / HTTP/1.1", "Host: blog.example.test"]))
        #expect(received == wire(["HTTP/1.1 200 OK"] + row.kept + ["Content-Length: 2"], body: "ok"))
    }

    @Test func expectContinueIsAnsweredByTheProxyAndNotForwarded() throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryHeaderTests.instance]])
        let client = driver.connect()
        client.send(
            wire(["POST /form HTTP/1.1", "Host: blog.example.test", "Expect: 100-continue", "Content-Length: 5"]))
        driver.run()
        #expect(client.received == "HTTP/1.1 100 Continue\r\n\r\n")
        client.send("hello")
        driver.run()
        #expect(client.received == "HTTP/1.1 100 Continue\r\n\r\n" + answerFrom(MemoryHeaderTests.instance))
        #expect(
            driver.upstream(MemoryHeaderTests.instance).received
                == forwarded("POST /form HTTP/1.1", framing: ["Content-Length: 5"]) + "hello")
    }
}
