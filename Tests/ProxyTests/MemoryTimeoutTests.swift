import Testing

/// Deadlines on the manual loop's clock: nothing fires a moment early, the answer comes exactly at the
/// deadline, and no test sleeps.
struct MemoryTimeoutTests {
    static let first = "127.0.0.11:8080"
    static let second = "127.0.0.12:8080"

    /// A configured upstream timeout, and the time that passes with the instance silent.
    struct SilenceRow: Sendable, CustomTestStringConvertible {
        let timeout: Duration
        let waited: Duration
        /// What the client holds afterwards ("" while the deadline has not come).
        let answer: String
        var testDescription: String { "timeout \(timeout), waited \(waited)" }
    }

    @Test(arguments: [
        SilenceRow(timeout: .seconds(60), waited: .seconds(59), answer: ""),
        SilenceRow(
            timeout: .seconds(60), waited: .seconds(60),
            answer: proxyAnswer("504 Gateway Timeout", "no answer from an instance of blog within 60.0 seconds")),
        SilenceRow(timeout: .seconds(5), waited: .milliseconds(4999), answer: ""),
        SilenceRow(
            timeout: .seconds(5), waited: .seconds(7),
            answer: proxyAnswer("504 Gateway Timeout", "no answer from an instance of blog within 5.0 seconds")),
    ])
    func silentInstanceGets504AtTheUpstreamTimeoutAndIsNotRetried(_ row: SilenceRow) throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryTimeoutTests.first, MemoryTimeoutTests.second]]) {
            $0.upstreamTimeout = row.timeout
        }
        let first = driver.upstream(MemoryTimeoutTests.first)
        first.replies = [.silent]
        let client = driver.connect()
        client.send(wire(["GET / HTTP/1.1", "Host: blog.example.test"]))
        driver.run()
        driver.advance(by: row.waited)
        #expect(client.received == row.answer)
        #expect(first.received == forwarded())
        // Once the 504 is out the silent connection is dropped; a GET that reached an instance is not resent.
        #expect(first.connections.allSatisfy { $0.isClosed } == !row.answer.isEmpty)
        #expect(driver.upstream(MemoryTimeoutTests.second).received == "")
        #expect(!client.isClosed)
    }

    @Test func anInstanceThatNeverAcceptsIsLeftAtTheConnectTimeoutForTheNext() throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryTimeoutTests.first, MemoryTimeoutTests.second]])
        driver.upstream(MemoryTimeoutTests.first).connectOutcome = .hang
        let client = driver.connect()
        client.send(wire(["GET / HTTP/1.1", "Host: blog.example.test"]))
        driver.advance(by: .milliseconds(1999))
        #expect(client.received == "")
        driver.advance(by: .milliseconds(1))
        #expect(client.received == answerFrom(MemoryTimeoutTests.second))
        #expect(driver.upstream(MemoryTimeoutTests.first).connections.allSatisfy { $0.isClosed })
        #expect(driver.worker.metrics.retries == 1)
    }

    @Test(arguments: ["GET / HTTP/1.1\r\nHost: blog.exa", "GET / HT", "G"])
    func slowRequestHeadGets408AfterTheHeaderTimeout(_ partial: String) throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryTimeoutTests.first]])
        let client = driver.connect()
        client.send(partial)
        driver.advance(by: .milliseconds(9999))
        #expect(client.received == "")
        driver.advance(by: .milliseconds(1))
        #expect(client.received == proxyAnswer("408 Request Timeout", "request head not received in time", close: true))
        #expect(client.receivedFIN)
        #expect(driver.upstream(MemoryTimeoutTests.first).received == "")
    }

    @Test func stalledRequestBodyGets408AndTheUpstreamConnectionIsDropped() throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryTimeoutTests.first]]) { $0.bodyTimeout = .seconds(30) }
        let client = driver.connect()
        client.send(wire(["POST /upload HTTP/1.1", "Host: blog.example.test", "Content-Length: 10"], body: "abc"))
        driver.advance(by: .seconds(30))
        #expect(client.received == proxyAnswer("408 Request Timeout", "request body not received in time", close: true))
        let upstream = driver.upstream(MemoryTimeoutTests.first)
        #expect(upstream.received == forwarded("POST /upload HTTP/1.1", framing: ["Content-Length: 10"]) + "abc")
        #expect(upstream.connections.allSatisfy { $0.isClosed })
    }

    @Test func idleKeepAliveConnectionIsClosedSilentlyAfterTheIdleTimeout() throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryTimeoutTests.first]]) { $0.idleTimeout = .seconds(15) }
        let client = driver.connect()
        client.send(wire(["GET / HTTP/1.1", "Host: blog.example.test"]))
        driver.advance(by: .seconds(14))
        #expect(!client.isClosed)
        driver.advance(by: .seconds(1))
        #expect(client.isClosed)
        #expect(client.received == answerFrom(MemoryTimeoutTests.first))
    }
}
