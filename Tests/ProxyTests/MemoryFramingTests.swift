import Testing

/// How bodies are framed on the way through: answers without a body, chunked bodies re-framed, and
/// pipelined requests answered in order.
struct MemoryFramingTests {
    static let instance = "127.0.0.11:8080"

    /// A request line, the instance's answer, and the exact bytes the client must get for it.
    struct BodilessRow: Sendable, CustomTestStringConvertible {
        let requestLine: String
        let answer: String
        let expected: String
        var testDescription: String { "\(requestLine) → \(answer.split(separator: "\r\n").first ?? "")" }
    }

    @Test(arguments: [
        BodilessRow(
            requestLine: "HEAD / HTTP/1.1", answer: wire(["HTTP/1.1 200 OK", "Content-Length: 5"]),
            expected: wire(["HTTP/1.1 200 OK", "Content-Length: 5"])),
        BodilessRow(
            requestLine: "HEAD / HTTP/1.1", answer: wire(["HTTP/1.1 200 OK", "Transfer-Encoding: chunked"]),
            expected: wire(["HTTP/1.1 200 OK"])),
        BodilessRow(
            requestLine: "GET / HTTP/1.1", answer: wire(["HTTP/1.1 204 No Content"]),
            expected: wire(["HTTP/1.1 204 No Content"])),
        BodilessRow(
            requestLine: "DELETE /x HTTP/1.1", answer: wire(["HTTP/1.1 204 No Content", "Content-Length: 0"]),
            expected: wire(["HTTP/1.1 204 No Content"])),
        BodilessRow(
            requestLine: "GET / HTTP/1.1", answer: wire(["HTTP/1.1 304 Not Modified", "ETag: \"v1\""]),
            expected: wire(["HTTP/1.1 304 Not Modified", "ETag: \"v1\""])),
        BodilessRow(
            requestLine: "GET / HTTP/1.1",
            answer: wire(["HTTP/1.1 304 Not Modified", "ETag: \"v1\"", "Content-Length: 42"]),
            expected: wire(["HTTP/1.1 304 Not Modified", "ETag: \"v1\"", "Content-Length: 42"])),
        BodilessRow(
            requestLine: "GET / HTTP/1.1", answer: wire(["HTTP/1.1 200 OK", "Content-Length: 0"]),
            expected: wire(["HTTP/1.1 200 OK", "Content-Length: 0"])),
    ])
    func answerWithoutBodyEndsAtItsHeadAndTheConnectionsGoOn(_ row: BodilessRow) throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryFramingTests.instance]])
        let upstream = driver.upstream(MemoryFramingTests.instance)
        upstream.replies = [.answer(row.answer)]
        let client = driver.connect()
        client.send(wire([row.requestLine, "Host: blog.example.test"]))
        driver.run()
        #expect(client.received == row.expected)
        // The next request on both connections gets its own answer: nobody waited for a body.
        client.send(wire(["GET /next HTTP/1.1", "Host: blog.example.test"]))
        driver.run()
        #expect(client.received == row.expected + answerFrom(MemoryFramingTests.instance))
        #expect(upstream.connections.count == 1)
    }

    /// An instance's answer (after its head) and the bytes the client must get after the proxy's head.
    struct ChunkedRow: Sendable, CustomTestStringConvertible {
        let name: String
        let head: [String]
        let body: String
        var closesAfter = false
        var clientHead = ["HTTP/1.1 200 OK", "Transfer-Encoding: chunked"]
        let clientBody: String
        var clientVersion = "HTTP/1.1"
        var testDescription: String { name }
    }

    @Test(arguments: [
        ChunkedRow(
            name: "one chunk", head: ["HTTP/1.1 200 OK", "Transfer-Encoding: chunked"],
            body: "5\r\nhello\r\n0\r\n\r\n", clientBody: "5\r\nhello\r\n0\r\n\r\n"),
        ChunkedRow(
            name: "two chunks", head: ["HTTP/1.1 200 OK", "Transfer-Encoding: chunked"],
            body: "2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n", clientBody: "2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n"),
        ChunkedRow(
            name: "extensions and trailers dropped", head: ["HTTP/1.1 200 OK", "Transfer-Encoding: chunked"],
            body: "5;name=v\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n", clientBody: "5\r\nhello\r\n0\r\n\r\n"),
        ChunkedRow(
            name: "upper-case size", head: ["HTTP/1.1 200 OK", "Transfer-Encoding: chunked"],
            body: "A\r\n0123456789\r\n0\r\n\r\n", clientBody: "a\r\n0123456789\r\n0\r\n\r\n"),
        ChunkedRow(
            name: "until-close body becomes chunked", head: ["HTTP/1.1 200 OK", "Connection: close"], body: "bye",
            closesAfter: true, clientBody: "3\r\nbye\r\n0\r\n\r\n"),
        ChunkedRow(
            name: "chunked to an HTTP/1.0 client ends at close",
            head: ["HTTP/1.1 200 OK", "Transfer-Encoding: chunked"],
            body: "5\r\nhello\r\n0\r\n\r\n", clientHead: ["HTTP/1.1 200 OK", "Connection: close"], clientBody: "hello",
            clientVersion: "HTTP/1.0"),
    ])
    func responseBodyIsReFramedForTheClient(_ row: ChunkedRow) throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryFramingTests.instance]])
        let answer = wire(row.head, body: row.body)
        driver.upstream(MemoryFramingTests.instance).replies = [
            row.closesAfter ? .answerThenClose(answer) : .answer(answer)
        ]
        let client = driver.connect()
        client.send(wire(["GET / \(row.clientVersion)", "Host: blog.example.test"]))
        driver.run()
        #expect(client.received == wire(row.clientHead, body: row.clientBody))
        #expect(client.receivedFIN == (row.clientVersion == "HTTP/1.0"))
    }

    @Test func chunkedRequestBodyIsReFramedForTheInstance() throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryFramingTests.instance]])
        let received = driver.exchange(
            wire(
                ["POST /up HTTP/1.1", "Host: blog.example.test", "Transfer-Encoding: chunked"],
                body: "3;x=y\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n"))
        #expect(received == answerFrom(MemoryFramingTests.instance))
        #expect(
            driver.upstream(MemoryFramingTests.instance).received
                == forwarded("POST /up HTTP/1.1", framing: ["Transfer-Encoding: chunked"]) + "3\r\nabc\r\n0\r\n\r\n")
    }

    @Test func pipelinedRequestsAreAnsweredInOrderWhateverAnswersThem() throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryFramingTests.instance], "empty": []])
        driver.upstream(MemoryFramingTests.instance).replies = [
            .answer(wire(["HTTP/1.1 200 OK", "Content-Length: 3"], body: "one")),
            .answer(wire(["HTTP/1.1 200 OK", "Transfer-Encoding: chunked"], body: "5\r\nthree\r\n0\r\n\r\n")),
            .answer(wire(["HTTP/1.1 200 OK", "Content-Length: 4"])),
        ]
        let received = driver.exchange(
            wire(["GET /1 HTTP/1.1", "Host: blog.example.test"])
                + wire(["GET /2 HTTP/1.1", "Host: nope.example.test"])
                + wire(["GET /3 HTTP/1.1", "Host: blog.example.test"])
                + wire(["GET /4 HTTP/1.1", "Host: empty.example.test"])
                + wire(["HEAD /5 HTTP/1.1", "Host: blog.example.test"]))
        #expect(
            received
                == wire(["HTTP/1.1 200 OK", "Content-Length: 3"], body: "one")
                + proxyAnswer("404 Not Found", "no app is served at this host")
                + wire(["HTTP/1.1 200 OK", "Transfer-Encoding: chunked"], body: "5\r\nthree\r\n0\r\n\r\n")
                + proxyAnswer("503 Service Unavailable", "no live instance of empty")
                + wire(["HTTP/1.1 200 OK", "Content-Length: 4"]))
        #expect(
            driver.upstream(MemoryFramingTests.instance).received
                == forwarded("GET /1 HTTP/1.1") + forwarded("GET /3 HTTP/1.1") + forwarded("HEAD /5 HTTP/1.1"))
    }

    @Test func aPipelinedRequestWaitsUpstreamUntilTheOneBeforeItIsAnswered() throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryFramingTests.instance]])
        let upstream = driver.upstream(MemoryFramingTests.instance)
        upstream.replies = [.silent]
        let client = driver.connect()
        client.send(
            wire(["GET /1 HTTP/1.1", "Host: blog.example.test"]) + wire(["GET /2 HTTP/1.1", "Host: blog.example.test"]))
        driver.run()
        #expect(upstream.received == forwarded("GET /1 HTTP/1.1"))
        #expect(client.received == "")
        upstream.connections[0].send(wire(["HTTP/1.1 200 OK", "Content-Length: 5"], body: "first"))
        driver.run()
        #expect(upstream.received == forwarded("GET /1 HTTP/1.1") + forwarded("GET /2 HTTP/1.1"))
        #expect(
            client.received
                == wire(["HTTP/1.1 200 OK", "Content-Length: 5"], body: "first")
                + answerFrom(MemoryFramingTests.instance))
    }
}
