import HTTP
import KV
import Platform
import Proxy
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ProxyRoutingTests {
    @Test func requestForAnAppReachesItsInstanceWhateverTheHostCase() async throws {
        let fixture = try ProxyFixture()
        let upstream = try TestUpstream(name: "blog-1")
        defer { upstream.stop() }
        try await fixture.register("blog", "1", upstream.address)
        var headers = HTTPHeaders()
        headers.add("Host", "BLOG.Example.Test:8080")
        let response = try await fixture.client.send(
            HTTPClientRequest(method: "GET", path: "/posts?id=7", headers: headers), to: fixture.endpoint)
        #expect(response.status == 200)
        #expect(response.instance == "blog-1")
        #expect(response.text.contains("GET /posts?id=7\n"))
        await fixture.stop()
    }

    @Test func unknownHostGets404WithAShortPlainTextBody() async throws {
        let fixture = try ProxyFixture()
        let response = try await fixture.get("nothing")
        #expect(response.status == 404)
        #expect(response.text == "404 Not Found: no app is served at this host\n")
        #expect(response.headers["content-type"] == "text/plain; charset=utf-8")
        await fixture.stop()
    }

    @Test func appWhoseLastInstanceLeftGets503() async throws {
        let fixture = try ProxyFixture()
        let upstream = try TestUpstream(name: "shop-1")
        defer { upstream.stop() }
        try await fixture.register("shop", "1", upstream.address)
        #expect(try await fixture.get("shop").status == 200)
        try await fixture.deregister("shop", "1")
        let response = try await fixture.get("shop")
        #expect(response.status == 503)
        #expect(response.text == "503 Service Unavailable: no live instance of shop\n")
        await fixture.stop()
    }

    @Test func requestsGoRoundRobinAcrossInstances() async throws {
        let fixture = try ProxyFixture { $0.workers = 1 }
        let upstreams = try (1...3).map { try TestUpstream(name: "api-\($0)") }
        defer { for upstream in upstreams { upstream.stop() } }
        for (index, upstream) in upstreams.enumerated() {
            try await fixture.register("api", "\(index + 1)", upstream.address)
        }
        var seen: [String: Int] = [:]
        for _ in 0..<30 {
            let response = try await fixture.get("api")
            seen[response.instance ?? "?", default: 0] += 1
        }
        #expect(seen == ["api-1": 10, "api-2": 10, "api-3": 10])
        await fixture.stop()
    }

    @Test func invalidStoreValueIsSkippedAndLoggedNeverRouted() async throws {
        let fixture = try ProxyFixture()
        let upstream = try TestUpstream(name: "web-1")
        defer { upstream.stop() }
        try await fixture.register("web", "1", upstream.address)
        try await fixture.store.put("/services/web/web/web@2", "127.0.0.1:80; evil")
        try await fixture.store.put("/services/web/web/web@3", "not an address")
        let skipped = { fixture.logSink.written.filter { $0.contains("skipped instance with an invalid address") } }
        #expect(await eventually { skipped().count == 2 })
        for _ in 0..<6 { #expect(try await fixture.get("web").instance == "web-1") }
        let warnings = skipped()
        #expect(warnings.first?.contains("key=/services/web/web/web@2") == true)
        await fixture.stop()
    }

    @Test func storeOutageKeepsTheLastTableAndLogsOnce() async throws {
        let store = try FailingStore()
        let upstream = try TestUpstream(name: "app-1")
        defer { upstream.stop() }
        try await store.inner.put("/services/web/app/app@1", upstream.address)
        let sink = MemoryLogSink()
        var configuration = ProxyConfiguration()
        configuration.port = 0
        configuration.domain = ProxyFixture.domain
        let proxy = ProxyServer(configuration: configuration, store: store, log: Log(component: "proxy", sink: sink))
        let port = try proxy.start()
        #expect(await eventually { proxy.routingTableVersion == 1 })
        store.failing.withLock { $0 = true }
        store.breakWatches()
        #expect(await eventually { proxy.feed == .unavailable })
        // Several retries fail while the store is down; one line says so.
        #expect(await eventually { store.failedCalls.withLock { $0 } >= 3 })
        let client = HTTPClient()
        defer { client.shutdown() }
        let response = try await client.send(
            HTTPClientRequest(path: "/", headers: ["Host": "app.\(ProxyFixture.domain)"]),
            to: Endpoint(host: "127.0.0.1", port: port))
        #expect(response.status == 200)
        let outages = sink.written.filter { $0.contains("store unavailable; keeping the last routing table") }
        #expect(outages.count == 1)
        await proxy.shutdown(grace: .seconds(1))
    }
}
