import HTTP
import Platform
import Testing

struct EndpointTests {
    @Test(arguments: [
        ("http://127.0.0.1:2379", "127.0.0.1", 2379),
        ("127.0.0.1:2379", "127.0.0.1", 2379),
        ("[::1]:2379", "::1", 2379),
        ("http://[::1]:4001/v3", "::1", 4001),
        ("localhost:2379", "localhost", 2379),
        ("http://example.test", "example.test", 80),
    ])
    func urlsParseIntoHostAndPort(_ url: String, _ host: String, _ port: Int) throws {
        let endpoint = try Endpoint(url: url)
        #expect(endpoint == Endpoint(host: host, port: port))
    }

    @Test func descriptionIsAnHTTPURLWithBracketsForIPv6() {
        #expect(Endpoint(host: "127.0.0.1", port: 2379).description == "http://127.0.0.1:2379")
        #expect(Endpoint(host: "::1", port: 2379).description == "http://[::1]:2379")
    }

    @Test func httpsIsRejectedWithAnExplanation() {
        let error = #expect(throws: HTTPClientError.self) { try Endpoint(url: "https://127.0.0.1:2379") }
        #expect(
            error?.description
                == "unsupported scheme 'https' in 'https://127.0.0.1:2379'; only http is supported (put a TLS proxy in front for https)"
        )
    }

    @Test(arguments: ["127.0.0.1:0", "127.0.0.1:99999", "127.0.0.1:abc", ":2379", "[::1"])
    func malformedURLsAreRejected(_ url: String) {
        #expect(throws: HTTPClientError.self) { try Endpoint(url: url) }
    }
}

struct TCPProbeTests {
    @Test func probeSucceedsAgainstAListeningServer() async throws {
        try await withServer(handler: echo) { _, endpoint in
            try await TCPProbe.connect(host: "127.0.0.1", port: endpoint.port, timeout: .seconds(2))
        }
    }

    @Test func probeOfAClosedPortSaysConnectionRefused() async throws {
        let port = try await withServer(handler: echo) { _, endpoint in endpoint.port }
        let error = await #expect(throws: SystemError.self) {
            try await TCPProbe.connect(host: "127.0.0.1", port: port, timeout: .seconds(2))
        }
        #expect(error?.description == "connect 127.0.0.1:\(port): Connection refused")
    }
}
