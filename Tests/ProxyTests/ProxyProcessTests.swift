import HTTP
import KV
import Platform
import Synchronization
import TestSupport
import Testing

/// `router proxy` as users run it: the built binary against a store server, its memory, signals and errors.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct ProxyProcessTests {
    static let bodySize = 100 * 1024 * 1024

    /// An upstream for big bodies: `/big` streams `bodySize` bytes, anything else reports the body size.
    static let bigHandler = ClosureHandler { request, responder in
        if request.head.path == "/big" {
            let writer = responder.startStream(status: 200, headers: ["Content-Type": "application/octet-stream"])
            let piece = [UInt8](repeating: 0x61, count: 1 << 20)
            for _ in 0..<(ProxyProcessTests.bodySize >> 20) { writer.write(piece) }
            writer.finish()
        } else {
            responder.respond(HTTPResponse(status: 200, body: Array("received=\(request.body.count)\n".utf8)))
        }
    }

    private struct Running {
        let directory: TemporaryDirectory
        let store: StoreServer
        let proxy: ChildProcess
        let port: Int
        let adminPort: Int

        func stop() {
            proxy.kill9()
            store.stop()
            directory.remove()
        }
    }

    private func startProxy(extra: [String] = []) async throws -> Running {
        let directory = try TemporaryDirectory("proxy-cli")
        var storeConfiguration = StoreServer.Configuration()
        storeConfiguration.port = 0
        storeConfiguration.threads = 1
        let store = try StoreServer.start(
            storeConfiguration, log: Log(component: "store", level: .error, sink: MemoryLogSink()))
        let port = FreePort.next()
        let adminPort = FreePort.next()
        let proxy = try ChildProcess(
            BuiltProducts.path("router"),
            [
                "proxy", "--listen", "127.0.0.1:\(port)", "--domain", "example.test", "--store",
                "http://127.0.0.1:\(store.port)", "--admin", "127.0.0.1:\(adminPort)",
            ] + extra, logPath: directory.file("proxy.log"))
        let client = HTTPClient()
        defer { client.shutdown() }
        let healthy = await eventually(timeout: .seconds(20)) {
            try await client.send(
                HTTPClientRequest(path: "/health"), to: Endpoint(host: "127.0.0.1", port: adminPort),
                timeout: .seconds(1)
            ).status == 200
        }
        #expect(healthy, "proxy never healthy: \(proxy.output)")
        return Running(directory: directory, store: store, proxy: proxy, port: port, adminPort: adminPort)
    }

    /// Peak resident memory of a process in bytes (`VmHWM`).
    private func peakMemory(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
        }
        return 0
    }

    @Test func hundredMegabyteBodiesStreamBothWaysWithBoundedProxyMemory() async throws {
        let running = try await startProxy()
        defer { running.stop() }
        let upstream = try TestUpstream(name: "big", handler: ProxyProcessTests.bigHandler)
        defer { upstream.stop() }
        try await running.store.store.put("/services/web/big/big@1", upstream.address)
        var configuration = HTTPClient.Configuration()
        configuration.requestTimeout = .seconds(120)
        configuration.limits = HTTPLimits(maxBody: 200 * 1024 * 1024)
        let client = HTTPClient(configuration: configuration)
        defer { client.shutdown() }
        let endpoint = Endpoint(host: "127.0.0.1", port: running.port)
        let headers: HTTPHeaders = ["Host": "big.example.test"]
        #expect(
            await eventually {
                try await client.send(HTTPClientRequest(path: "/", headers: headers), to: endpoint).status == 200
            })

        let upload = try await client.send(
            HTTPClientRequest(
                method: "POST", path: "/upload", headers: headers,
                body: [UInt8](repeating: 0x62, count: ProxyProcessTests.bodySize)),
            to: endpoint)
        #expect(upload.status == 200)
        #expect(String(decoding: upload.body, as: UTF8.self) == "received=\(ProxyProcessTests.bodySize)\n")

        let download = try await client.stream(HTTPClientRequest(path: "/big", headers: headers), to: endpoint)
        #expect(download.status == 200)
        var received = 0
        for try await piece in download.body { received += piece.count }
        #expect(received == ProxyProcessTests.bodySize)

        // 200 MB went through; the proxy never held more than a few buffers of it.
        let peak = peakMemory(running.proxy.pid)
        #expect(peak > 0)
        #expect(peak < 48 * 1024 * 1024, "peak RSS \(peak / 1024 / 1024) MB")
    }

    /// SIGQUIT too: it is nginx's graceful stop, and its default action would drop the request.
    @Test(arguments: [Posix.SIGTERM, Posix.SIGQUIT])
    func sigtermFinishesTheRequestInFlightAndExitsZero(signal: Int32) async throws {
        let running = try await startProxy(extra: ["--grace", "5"])
        defer { running.stop() }
        let received = CounterBox()
        let slow = try TestUpstream(
            name: "slow",
            handler: ClosureHandler { request, responder in
                received.count.add(1, ordering: .relaxed)
                Task {
                    try? await Task.sleep(for: .milliseconds(500))
                    responder.respond(TestUpstream.echo(name: "slow", request: request))
                }
            })
        defer { slow.stop() }
        try await running.store.store.put("/services/web/slow/slow@1", slow.address)
        let client = HTTPClient()
        defer { client.shutdown() }
        let endpoint = Endpoint(host: "127.0.0.1", port: running.port)
        #expect(
            await eventually {
                try await client.send(
                    HTTPClientRequest(path: "/", headers: ["Host": "slow.example.test"]), to: endpoint
                ).status == 200
            })
        let inFlight = Task {
            try await client.send(HTTPClientRequest(path: "/x", headers: ["Host": "slow.example.test"]), to: endpoint)
        }
        // SIGTERM once the upstream holds the request: it is in flight in the proxy.
        #expect(await eventually { received.count.load(ordering: .relaxed) >= 2 })
        running.proxy.signal(signal)
        #expect(try await inFlight.value.status == 200)
        #expect(running.proxy.waitForExit(timeout: .seconds(10)) == 0)
        #expect(running.proxy.output.contains("msg=\"proxy stopping\""))
    }

    @Test func sighupLeavesTheProxyServingAndIsLogged() async throws {
        let running = try await startProxy()
        defer { running.stop() }
        let upstream = try TestUpstream(name: "a")
        defer { upstream.stop() }
        try await running.store.store.put("/services/web/blog/blog@1", upstream.address)
        let client = HTTPClient()
        defer { client.shutdown() }
        let endpoint = Endpoint(host: "127.0.0.1", port: running.port)
        let blog = HTTPClientRequest(path: "/", headers: ["Host": "blog.example.test"])
        #expect(await eventually { try await client.send(blog, to: endpoint).status == 200 })
        // Its default action would end the process and every request in it.
        running.proxy.signal(Posix.SIGHUP)
        #expect(
            await eventually { running.proxy.output.contains("msg=\"SIGHUP: nothing to read again; carrying on\"") },
            "\(running.proxy.output)")
        #expect(try await client.send(blog, to: endpoint).status == 200)
        running.proxy.signal(Posix.SIGTERM)
        #expect(running.proxy.waitForExit(timeout: .seconds(10)) == 0)
    }

    @Test func metricsAndHealthAreServedOnTheAdminListener() async throws {
        let running = try await startProxy()
        defer { running.stop() }
        let client = HTTPClient()
        defer { client.shutdown() }
        let admin = Endpoint(host: "127.0.0.1", port: running.adminPort)
        let health = try await client.send(HTTPClientRequest(path: "/health"), to: admin)
        #expect(String(decoding: health.body, as: UTF8.self) == "ok\n")
        _ = try await client.send(
            HTTPClientRequest(path: "/", headers: ["Host": "none.example.test"]),
            to: Endpoint(host: "127.0.0.1", port: running.port))
        let metrics = String(
            decoding: try await client.send(HTTPClientRequest(path: "/metrics"), to: admin).body, as: UTF8.self)
        #expect(metrics.contains("# TYPE switchboard_proxy_requests_total counter\n"))
        #expect(metrics.contains("switchboard_proxy_requests_total{app=\"-\",status=\"404\"} 1\n"))
        #expect(metrics.contains("switchboard_proxy_store_watch_up 1\n"))
        #expect(metrics.contains("switchboard_proxy_routing_table_version 1\n"))
    }

    @Test(arguments: [
        (["proxy", "--domain", "x"], "router proxy: --listen ADDR:PORT is required\n"),
        (["proxy", "--listen", "127.0.0.1:1"], "router proxy: --domain DOMAIN is required\n"),
        (
            ["proxy", "--listen", "nowhere", "--domain", "x"],
            "router proxy: flag --listen: 'nowhere' is not HOST:PORT (for example 127.0.0.1:2379)\n"
        ),
        (["proxy", "--listen", "127.0.0.1:1", "--domain", "x", "--workers", "0"], nil),
        (["proxy", "--bogus"], "router proxy: unknown flag '--bogus'\n"),
    ])
    func usageErrorsAreOneLineAndStatusTwo(_ arguments: [String], _ message: String?) async throws {
        let directory = try TemporaryDirectory("proxy-cli")
        defer { directory.remove() }
        let process = try ChildProcess(BuiltProducts.path("router"), arguments, logPath: directory.file("out.log"))
        defer { process.kill9() }
        #expect(process.waitForExit(timeout: .seconds(10)) == 2)
        if let message { #expect(process.output == message) }
        #expect(process.output.split(separator: "\n").count == 1)
    }

    @Test func checkConfigValidatesAndExitsZero() async throws {
        let directory = try TemporaryDirectory("proxy-cli")
        defer { directory.remove() }
        let process = try ChildProcess(
            BuiltProducts.path("router"),
            ["proxy", "--listen", "127.0.0.1:8080", "--domain", "example.test", "--check-config"],
            logPath: directory.file("out.log"))
        defer { process.kill9() }
        #expect(process.waitForExit(timeout: .seconds(10)) == 0)
        #expect(process.output == "router proxy: configuration ok\n")
    }
}
