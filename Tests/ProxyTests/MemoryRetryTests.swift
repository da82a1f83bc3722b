import HTTP
import Platform
import Testing

/// Failures before the answer: which requests move on to the next instance, and the 502 when none can.
struct MemoryRetryTests {
    static let first = "127.0.0.11:8080"
    static let second = "127.0.0.12:8080"
    static let apps = ["blog": [first, second]]
    static let closedBeforeAnswering = proxyAnswer(
        "502 Bad Gateway", "an instance of blog closed the connection before answering")

    /// A request, how the first instance fails it, and whether the proxy must try the second.
    struct RetryRow: Sendable, CustomTestStringConvertible {
        let name: String
        let requestLines: [String]
        var body = ""
        /// The end-to-end framing field the instance sees (`Content-Length: 4`), if any.
        var framing: [String] = []
        var connect = MemoryPeer.ConnectOutcome.accept
        var reply = ScriptedUpstream.Reply.reset
        let retried: Bool
        /// What the client gets when the request is not retried.
        var failure = MemoryRetryTests.closedBeforeAnswering

        var request: String { wire(requestLines + ["Host: blog.example.test"] + framing, body: body) }
        var forwardedRequest: String { forwarded(requestLines[0], framing: framing) + body }
        var testDescription: String { name }
    }

    @Test(arguments: [
        RetryRow(name: "GET reset before answering", requestLines: ["GET / HTTP/1.1"], retried: true),
        RetryRow(name: "DELETE reset before answering", requestLines: ["DELETE /post/1 HTTP/1.1"], retried: true),
        RetryRow(name: "OPTIONS reset before answering", requestLines: ["OPTIONS * HTTP/1.1"], retried: true),
        RetryRow(
            name: "GET closed without an answer", requestLines: ["GET / HTTP/1.1"], reply: .close, retried: true),
        RetryRow(
            name: "GET answered with garbage", requestLines: ["GET / HTTP/1.1"], reply: .answer("HTTP/9 nope\r\n\r\n"),
            retried: true),
        RetryRow(
            name: "GET to an instance refusing connections", requestLines: ["GET / HTTP/1.1"],
            connect: .refuse(Posix.ECONNREFUSED), retried: true),
        RetryRow(
            name: "POST with a body to an instance refusing connections", requestLines: ["POST /form HTTP/1.1"],
            body: "data", framing: ["Content-Length: 4"], connect: .refuse(Posix.ECONNREFUSED), retried: true),
        RetryRow(
            name: "POST with a body reset after sending it", requestLines: ["POST /form HTTP/1.1"], body: "data",
            framing: ["Content-Length: 4"], retried: false),
        RetryRow(
            name: "PUT with a body reset after sending it", requestLines: ["PUT /doc HTTP/1.1"], body: "data",
            framing: ["Content-Length: 4"], retried: false),
        RetryRow(
            name: "POST without a body reset before answering", requestLines: ["POST /ping HTTP/1.1"],
            framing: ["Content-Length: 0"], retried: false),
        RetryRow(
            name: "PATCH with a chunked body reset after sending it", requestLines: ["PATCH /doc HTTP/1.1"],
            body: "4\r\ndata\r\n0\r\n\r\n", framing: ["Transfer-Encoding: chunked"], retried: false),
        RetryRow(
            name: "POST answered with garbage", requestLines: ["POST /form HTTP/1.1"], body: "data",
            framing: ["Content-Length: 4"], reply: .answer("HTTP/9 nope\r\n\r\n"), retried: false,
            failure: proxyAnswer(
                "502 Bad Gateway",
                "an instance of blog sent a bad response: malformed status line; expected 'HTTP/1.1 200 Reason'")),
    ])
    func failureBeforeTheAnswerMovesOnOnlyWhenTheRequestCanBeSentAgain(_ row: RetryRow) throws {
        let driver = try ProxyDriver(apps: MemoryRetryTests.apps)
        let first = driver.upstream(MemoryRetryTests.first)
        first.connectOutcome = row.connect
        first.replies = [row.reply]
        let received = driver.exchange(row.request)
        let refused = row.connect != .accept
        #expect(received == (row.retried ? answerFrom(MemoryRetryTests.second) : row.failure))
        #expect(first.received == (refused ? "" : row.forwardedRequest))
        #expect(driver.upstream(MemoryRetryTests.second).received == (row.retried ? row.forwardedRequest : ""))
        #expect(first.connections.allSatisfy { $0.isClosed })
        #expect(driver.worker.metrics.retries == (row.retried ? 1 : 0))
        #expect(driver.worker.metrics.upstreamErrors == 1)
    }

    @Test(arguments: [1, 2, 3])
    func resetBeforeAnyByteOnEveryInstanceGets502AfterOneTryEach(_ instances: Int) throws {
        let addresses = (0..<instances).map { "127.0.0.\(11 + $0):8080" }
        let driver = try ProxyDriver(apps: ["blog": addresses])
        for address in addresses { driver.upstream(address).replies = [.reset] }
        let client = driver.connect()
        client.send(wire(["GET / HTTP/1.1", "Host: blog.example.test"]))
        driver.run()
        #expect(client.received == MemoryRetryTests.closedBeforeAnswering)
        for address in addresses {
            #expect(driver.upstream(address).received == forwarded(), "at \(address)")
        }
        // The 502 is the proxy's own complete answer: the client connection stays usable.
        #expect(!client.isClosed)
        client.send(wire(["GET /again HTTP/1.1", "Host: blog.example.test"]))
        driver.run()
        #expect(client.received == MemoryRetryTests.closedBeforeAnswering + answerFrom(addresses[1 % instances]))
    }

    @Test func everyInstanceRefusingConnectionsGets502NamingTheError() throws {
        let driver = try ProxyDriver(apps: MemoryRetryTests.apps)
        driver.upstream(MemoryRetryTests.first).connectOutcome = .refuse(Posix.ECONNREFUSED)
        driver.upstream(MemoryRetryTests.second).connectOutcome = .refuse(Posix.ECONNREFUSED)
        let client = driver.connect()
        client.send(wire(["GET / HTTP/1.1", "Host: blog.example.test"]))
        driver.run()
        // The proxy reads a request's end only once its upstream is connected, so here it has not seen it:
        // it closes after its answer rather than guess where the next request starts.
        #expect(
            client.received
                == proxyAnswer(
                    "502 Bad Gateway", "cannot connect to an instance of blog: Connection refused", close: true))
        #expect(client.receivedFIN)
    }

    @Test func aPooledConnectionClosedBeforeAnsweringIsRetriedOnAFreshOneToTheSameInstance() throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryRetryTests.first]])
        let upstream = driver.upstream(MemoryRetryTests.first)
        upstream.replies = [.answer(answerFrom(MemoryRetryTests.first)), .close]
        let client = driver.connect()
        client.send(wire(["GET /1 HTTP/1.1", "Host: blog.example.test"]))
        driver.run()
        client.send(wire(["GET /2 HTTP/1.1", "Host: blog.example.test"]))
        driver.run()
        #expect(client.received == answerFrom(MemoryRetryTests.first) + answerFrom(MemoryRetryTests.first))
        #expect(upstream.connections.count == 2)
        #expect(
            upstream.received
                == forwarded("GET /1 HTTP/1.1") + forwarded("GET /2 HTTP/1.1") + forwarded("GET /2 HTTP/1.1"))
        // A stale keep-alive connection says nothing about the instance.
        #expect(driver.worker.metrics.upstreamErrors == 0)
    }

    @Test func aResetAfterTheAnswerStartedCutsTheClientOff() throws {
        let driver = try ProxyDriver(apps: MemoryRetryTests.apps)
        driver.upstream(MemoryRetryTests.first).replies = [
            .answerThenReset(wire(["HTTP/1.1 200 OK", "Content-Length: 10"], body: "abc"))
        ]
        let client = driver.connect()
        client.send(wire(["GET / HTTP/1.1", "Host: blog.example.test"]))
        driver.run()
        #expect(client.received == wire(["HTTP/1.1 200 OK", "Content-Length: 10"], body: "abc"))
        #expect(client.isClosed)
        #expect(driver.upstream(MemoryRetryTests.second).received == "")
    }

    @Test func anInstanceFailingThreeTimesIsEjectedAndGetsNoMoreRequests() throws {
        let driver = try ProxyDriver(apps: MemoryRetryTests.apps)
        driver.upstream(MemoryRetryTests.first).replies = [.reset, .reset, .reset]
        let client = driver.connect()
        for round in 1...8 {
            client.send(wire(["GET /\(round) HTTP/1.1", "Host: blog.example.test"]))
            driver.run()
        }
        #expect(client.received == String(repeating: answerFrom(MemoryRetryTests.second), count: 8))
        // Round-robin offers the first instance requests 1, 3 and 5; after its third failure it is skipped.
        #expect(driver.upstream(MemoryRetryTests.first).requestCount == 3)
        #expect(driver.upstream(MemoryRetryTests.second).requestCount == 8)
        #expect(driver.worker.metrics.ejections == 1)
    }
}
