import HTTP
import KV
import Platform
import Proxy
import Synchronization
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(3)))
struct ProxyFailureTests {
    @Test func connectFailureIsRetriedOnTheNextInstanceForAnyMethod() async throws {
        let fixture = try ProxyFixture { $0.workers = 1 }
        let live = try TestUpstream(name: "live")
        defer { live.stop() }
        // Nothing listens on the dead port: connecting is refused.
        try await fixture.register("app", "1", "127.0.0.1:\(FreePort.next())")
        try await fixture.register("app", "2", live.address)
        for _ in 0..<6 {
            let response = try await fixture.send(
                HTTPClientRequest(method: "POST", path: "/p", body: Array("x".utf8)), app: "app")
            #expect(response.status == 200)
            #expect(response.instance == "live")
        }
        await fixture.stop()
    }

    @Test func upstreamKilledMidTestCostsIdempotentClientsNothingAndGetsEjected() async throws {
        let fixture = try ProxyFixture { $0.workers = 2 }
        let upstreams = try (1...3).map { try TestUpstream(name: "i\($0)") }
        defer { for upstream in upstreams { upstream.stop() } }
        for (index, upstream) in upstreams.enumerated() {
            try await fixture.register("app", "\(index + 1)", upstream.address)
        }
        let failures = CounterBox()
        let served = CounterBox()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<150 {
                        do {
                            let response = try await fixture.get("app")
                            if response.status == 200 {
                                served.count.add(1, ordering: .relaxed)
                            } else {
                                failures.count.add(1, ordering: .relaxed)
                            }
                        } catch {
                            failures.count.add(1, ordering: .relaxed)
                        }
                    }
                }
            }
            // Kill one instance while the load runs (its pooled connections die with it).
            group.addTask {
                _ = await eventually { served.count.load(ordering: .relaxed) >= 100 }
                upstreams[1].stop()
            }
            try await group.waitForAll()
        }
        #expect(failures.count.load(ordering: .relaxed) == 0)
        #expect(served.count.load(ordering: .relaxed) == 600)
        let metrics = await fixture.proxy.metricsText()
        #expect(metrics.contains("switchboard_proxy_requests_total{app=\"app\",status=\"200\"} 600\n"))
        #expect(!metrics.contains("switchboard_proxy_retries_total 0\n"))
        #expect(fixture.logSink.written.contains { $0.contains("instance ejected after repeated failures") })
        await fixture.stop()
    }

    @Test func repeatedFailuresEjectAnInstanceForTheCooldown() async throws {
        let fixture = try ProxyFixture {
            $0.workers = 1
            $0.ejectAfterFailures = 2
        }
        let live = try TestUpstream(name: "live")
        defer { live.stop() }
        try await fixture.register("app", "1", "127.0.0.1:\(FreePort.next())")
        try await fixture.register("app", "2", live.address)
        for _ in 0..<10 { #expect(try await fixture.get("app").instance == "live") }
        let ejections = fixture.logSink.written.filter { $0.contains("instance ejected after repeated failures") }
        #expect(ejections.count == 1)
        #expect(ejections.first?.contains("instance=/services/web/app/app@1") == true)
        await fixture.stop()
    }

    @Test func anInstanceRegisteredAnewAtAnEjectedAddressGetsTrafficAtOnce() async throws {
        let fixture = try ProxyFixture {
            $0.workers = 1
            $0.ejectAfterFailures = 2
            $0.ejectionCooldown = .seconds(600)
        }
        let live = try TestUpstream(name: "live")
        defer { live.stop() }
        let port = FreePort.next()
        try await fixture.register("app", "1", "127.0.0.1:\(port)")
        try await fixture.register("app", "2", live.address)
        for _ in 0..<6 { #expect(try await fixture.get("app").instance == "live") }
        #expect(fixture.logSink.written.contains { $0.contains("instance ejected after repeated failures") })

        // The instance restarts at the same address and its announcer registers it again (a new key).
        let revived = try TestUpstream(name: "revived") { $0.port = port }
        defer { revived.stop() }
        try await fixture.deregister("app", "1")
        try await fixture.register("app", "1", "127.0.0.1:\(port)")
        var answered: Set<String> = []
        for _ in 0..<6 { answered.insert(try await fixture.get("app").instance ?? "?") }
        #expect(answered == ["live", "revived"], "still ejected for the cooldown: \(answered)")
        await fixture.stop()
    }

    @Test func upstreamThatNeverAnswersGets504() async throws {
        let fixture = try ProxyFixture { $0.upstreamTimeout = .milliseconds(500) }
        let silent = try TestUpstream(name: "silent", handler: ClosureHandler { _, _ in })
        defer { silent.stop() }
        try await fixture.register("slow", "1", silent.address)
        let response = try await fixture.send(HTTPClientRequest(method: "POST", path: "/", body: [1]), app: "slow")
        #expect(response.status == 504)
        #expect(response.text == "504 Gateway Timeout: no answer from an instance of slow within 0.5 seconds\n")
        await fixture.stop()
    }

    @Test func everyInstanceDownGets502() async throws {
        let fixture = try ProxyFixture()
        try await fixture.register("gone", "1", "127.0.0.1:\(FreePort.next())")
        let response = try await fixture.get("gone")
        #expect(response.status == 502)
        #expect(response.text.hasPrefix("502 Bad Gateway: cannot connect to an instance of gone: "))
        await fixture.stop()
    }

    @Test func tableChangesUnderLoadFailNoRequest() async throws {
        let fixture = try ProxyFixture { $0.workers = 2 }
        let upstreams = try (1...4).map { try TestUpstream(name: "u\($0)") }
        defer { for upstream in upstreams { upstream.stop() } }
        try await fixture.register("app", "1", upstreams[0].address)
        let failures = CounterBox()
        let done = CounterBox()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<200 {
                        let status = (try? await fixture.get("app").status) ?? 0
                        if status != 200 { failures.count.add(1, ordering: .relaxed) }
                    }
                }
            }
            group.addTask {
                // Instances come and go; at least one stays registered throughout (as announcers do).
                var round = 0
                while done.count.load(ordering: .relaxed) == 0 && round < 200 {
                    let index = 1 + round % 3
                    try await fixture.store.put("/services/web/app/app@\(index + 1)", upstreams[index].address)
                    try await fixture.store.delete("/services/web/app/app@\(1 + (round + 1) % 3 + 1)")
                    round += 1
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            try await group.next()
            try await group.next()
            try await group.next()
            try await group.next()
            done.count.store(1, ordering: .relaxed)
            try await group.waitForAll()
        }
        #expect(failures.count.load(ordering: .relaxed) == 0)
        #expect(fixture.proxy.routingTableVersion > 10)
        await fixture.stop()
    }

    @Test func removedInstanceFinishesTheRequestInFlight() async throws {
        let fixture = try ProxyFixture()
        let slow = try TestUpstream(
            name: "slow",
            handler: ClosureHandler { request, responder in
                Task {
                    try? await Task.sleep(for: .milliseconds(300))
                    responder.respond(TestUpstream.echo(name: "slow", request: request))
                }
            })
        defer { slow.stop() }
        try await fixture.register("app", "1", slow.address)
        async let response = fixture.get("app")
        _ = await eventually { slow.server.connectionsAccepted > 0 }
        try await fixture.deregister("app", "1")
        #expect(try await response.status == 200)
        #expect(try await fixture.get("app").status == 503)
        await fixture.stop()
    }

    @Test func gracefulShutdownFinishesRequestsInFlightAndRefusesNewOnes() async throws {
        let fixture = try ProxyFixture()
        let slow = try TestUpstream(
            name: "slow",
            handler: ClosureHandler { request, responder in
                Task {
                    try? await Task.sleep(for: .milliseconds(400))
                    responder.respond(TestUpstream.echo(name: "slow", request: request))
                }
            })
        defer { slow.stop() }
        try await fixture.register("app", "1", slow.address)
        let client = HTTPClient()
        defer { client.shutdown() }
        let endpoint = fixture.endpoint
        let inFlight = (0..<5).map { index in
            Task {
                try await client.send(
                    HTTPClientRequest(path: "/\(index)", headers: ["Host": "app.\(ProxyFixture.domain)"]), to: endpoint)
            }
        }
        _ = await eventually { slow.server.connectionsAccepted >= 5 }
        await fixture.proxy.shutdown(grace: .seconds(5))
        for task in inFlight { #expect(try await task.value.status == 200) }
        await #expect(throws: HTTPClientError.self) {
            try await HTTPClient().send(
                HTTPClientRequest(path: "/", headers: ["Host": "app.example.test"]), to: endpoint)
        }
        fixture.client.shutdown()
    }
}
