import Testing

/// Routing by Host and round-robin, through the real worker and connections over in-memory channels.
struct MemoryRoutingTests {
    static let blog = "127.0.0.11:8080"
    static let shop = "127.0.0.12:8080"
    static let apps = ["blog": [blog], "shop": [shop], "empty": []]

    /// A `Host` value and where the request must end up.
    struct HostRow: Sendable, CustomTestStringConvertible {
        let host: String
        /// The instance that must get the request, or nil when the proxy answers itself.
        let instance: String?
        /// The proxy's own answer when `instance` is nil.
        let answer: String

        static func routed(_ host: String, to instance: String) -> HostRow {
            HostRow(host: host, instance: instance, answer: answerFrom(instance))
        }
        static func unknown(_ host: String) -> HostRow {
            HostRow(host: host, instance: nil, answer: proxyAnswer("404 Not Found", "no app is served at this host"))
        }
        static func noInstance(_ host: String, app: String) -> HostRow {
            HostRow(
                host: host, instance: nil, answer: proxyAnswer("503 Service Unavailable", "no live instance of \(app)"))
        }

        var testDescription: String { "Host: \(host)" }
    }

    @Test(arguments: [
        HostRow.routed("blog.example.test", to: blog),
        .routed("BLOG.Example.TEST", to: blog),
        .routed("blog.example.test:8080", to: blog),
        .routed("Blog.EXAMPLE.test:80", to: blog),
        .routed("blog.example.test.", to: blog),
        .routed("shop.example.test", to: shop),
        .unknown("nope.example.test"),
        .unknown("example.test"),
        .unknown("blog.example.test.evil.test"),
        .unknown("www.blog.example.test"),
        .unknown("blog.example.test:http"),
        .unknown("127.0.0.1:8080"),
        .noInstance("empty.example.test", app: "empty"),
        .noInstance("EMPTY.example.test:8080", app: "empty"),
    ])
    func hostPicksTheAppOrGetsAnAnswerOfTheProxy(_ row: HostRow) throws {
        let driver = try ProxyDriver(apps: MemoryRoutingTests.apps)
        let received = driver.exchange(wire(["GET / HTTP/1.1", "Host: \(row.host)"]))
        #expect(received == row.answer)
        for address in [MemoryRoutingTests.blog, MemoryRoutingTests.shop] {
            // The Host field goes upstream as the client wrote it; only the chosen instance sees the request.
            let expected = address == row.instance ? forwarded(host: row.host) : ""
            #expect(driver.upstream(address).received == expected, "at \(address)")
        }
    }

    @Test func requestWithoutHostGets404AndTheConnectionCloses() throws {
        let driver = try ProxyDriver(apps: MemoryRoutingTests.apps)
        let client = driver.connect()
        client.send(wire(["GET / HTTP/1.0"]))
        driver.run()
        #expect(client.received == proxyAnswer("404 Not Found", "no app is served at this host", close: true))
        #expect(client.receivedFIN)
    }

    @Test(arguments: [1, 2, 3, 5])
    func requestsGoRoundRobinAcrossInstancesInOrder(_ instances: Int) throws {
        let addresses = (0..<instances).map { "127.0.0.\(11 + $0):8080" }
        let driver = try ProxyDriver(apps: ["blog": addresses])
        let client = driver.connect()
        for round in 0..<(2 * instances) {
            client.send(wire(["GET /\(round) HTTP/1.1", "Host: blog.example.test"]))
            driver.run()
        }
        let expected = (0..<(2 * instances)).map { answerFrom(addresses[$0 % instances]) }.joined()
        #expect(client.received == expected)
        for (index, address) in addresses.enumerated() {
            let requests = [index, index + instances].map { forwarded("GET /\($0) HTTP/1.1") }.joined()
            #expect(driver.upstream(address).received == requests, "at \(address)")
            // Each instance's two requests share one kept-alive upstream connection.
            #expect(driver.upstream(address).connections.count == 1, "at \(address)")
        }
    }

    @Test func aNewTableRoutesTheNextRequestAndTheOldInstanceGetsNoMore() throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryRoutingTests.blog]])
        let client = driver.connect()
        client.send(wire(["GET /1 HTTP/1.1", "Host: blog.example.test"]))
        driver.run()
        try driver.route(["blog": [MemoryRoutingTests.shop]])
        client.send(wire(["GET /2 HTTP/1.1", "Host: blog.example.test"]))
        driver.run()
        #expect(client.received == answerFrom(MemoryRoutingTests.blog) + answerFrom(MemoryRoutingTests.shop))
        #expect(driver.upstream(MemoryRoutingTests.blog).received == forwarded("GET /1 HTTP/1.1"))
        #expect(driver.upstream(MemoryRoutingTests.shop).received == forwarded("GET /2 HTTP/1.1"))
    }
}
