import Testing

/// How client connections end and turn into tunnels, in memory.
struct MemoryConnectionTests {
    static let instance = "127.0.0.11:8080"

    @Test func upgradeIsTunnelledBothWaysUntilTheInstanceCloses() throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryConnectionTests.instance]])
        let upstream = driver.upstream(MemoryConnectionTests.instance)
        upstream.replies = [
            .switchProtocols(
                wire(["HTTP/1.1 101 Switching Protocols", "Connection: Upgrade", "Upgrade: websocket"], body: "hi"))
        ]
        let client = driver.connect()
        client.send(
            wire(["GET /chat HTTP/1.1", "Host: blog.example.test", "Connection: Upgrade", "Upgrade: websocket"]))
        driver.run()
        #expect(
            upstream.received
                == forwarded("GET /chat HTTP/1.1", framing: ["Connection: upgrade", "Upgrade: websocket"]))
        #expect(
            client.received
                == wire(["HTTP/1.1 101 Switching Protocols", "Connection: upgrade", "Upgrade: websocket"], body: "hi"))
        client.send("ping")
        driver.run()
        #expect(upstream.received.hasSuffix("\r\n\r\nping"))
        upstream.connections[0].send("pong")
        upstream.connections[0].sendFIN()
        driver.run()
        #expect(client.received.hasSuffix("\r\n\r\nhipong"))
        #expect(client.receivedFIN)
    }

    @Test func anUnaskedSwitchOfProtocolsGets502() throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryConnectionTests.instance]])
        driver.upstream(MemoryConnectionTests.instance).replies = [
            .switchProtocols(wire(["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket"]))
        ]
        let received = driver.exchange(wire(["GET / HTTP/1.1", "Host: blog.example.test"]))
        #expect(received == proxyAnswer("502 Bad Gateway", "upstream switched protocols unasked"))
    }

    @Test(arguments: [true, false])
    func clientThatHalfClosesAfterItsRequestStillGetsTheAnswer(upstreamPooled: Bool) throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryConnectionTests.instance]])
        if upstreamPooled {
            #expect(driver.exchange(wire(["GET / HTTP/1.1", "Host: blog.example.test"])) != "")
        }
        let client = driver.connect()
        client.send(wire(["GET / HTTP/1.1", "Host: blog.example.test"]))
        client.sendFIN()
        driver.run()
        // The FIN may be read while a new upstream connection is still connecting, before the end of the
        // body-less request is parsed: the request must still be forwarded and answered.
        // `Connection: close` is in the head only if the FIN was read before the answer came.
        #expect(client.received.hasPrefix("HTTP/1.1 200 OK\r\nContent-Length: 15\r\n"))
        #expect(client.received.hasSuffix("\r\n\r\n\(MemoryConnectionTests.instance)"))
        #expect(client.isClosed)
    }

    @Test func clientThatHalfClosesInTheMiddleOfItsBodyIsClosedUnanswered() throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryConnectionTests.instance]])
        let client = driver.connect()
        // The FIN arrives while the new upstream connection is still connecting, so the body is held back
        // unparsed at first; once parsed it is 3 bytes short and no more will come.
        client.send(wire(["POST / HTTP/1.1", "Host: blog.example.test", "Content-Length: 10"]) + "short")
        client.sendFIN()
        driver.run()
        #expect(client.received == "")
        #expect(client.isClosed)
        #expect(driver.upstream(MemoryConnectionTests.instance).requestCount == 0)
    }

    /// Whether a request asks to keep its connection, and how the proxy answers that.
    struct KeepAliveRow: Sendable, CustomTestStringConvertible {
        let requestLines: [String]
        /// The `Connection` field the client must get, if any.
        let connectionField: String?
        let keptOpen: Bool
        var testDescription: String { requestLines.joined(separator: " | ") }
    }

    @Test(arguments: [
        KeepAliveRow(requestLines: ["GET / HTTP/1.1"], connectionField: nil, keptOpen: true),
        KeepAliveRow(requestLines: ["GET / HTTP/1.1", "Connection: close"], connectionField: "close", keptOpen: false),
        KeepAliveRow(requestLines: ["GET / HTTP/1.0"], connectionField: "close", keptOpen: false),
        KeepAliveRow(
            requestLines: ["GET / HTTP/1.0", "Connection: keep-alive"], connectionField: "keep-alive", keptOpen: true),
    ])
    func clientConnectionIsKeptOnlyWhenItsRequestAsks(_ row: KeepAliveRow) throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryConnectionTests.instance]])
        let client = driver.connect()
        client.send(wire(row.requestLines + ["Host: blog.example.test"]))
        driver.run()
        let address = MemoryConnectionTests.instance
        let head =
            ["HTTP/1.1 200 OK", "Content-Length: \(address.utf8.count)"]
            + (row.connectionField.map { ["Connection: \($0)"] } ?? [])
        #expect(client.received == wire(head, body: address))
        #expect(client.receivedFIN == !row.keptOpen)
        // The upstream connection is kept either way: the client's choice is hop-by-hop.
        #expect(driver.upstream(address).connections.allSatisfy { !$0.isClosed })
    }
}
