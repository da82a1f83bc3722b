import HTTP
import Platform
import TestSupport
import Testing

/// `router store` as users run it: the built binary, its exit statuses and its one-line errors.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct StoreCommandTests {
    private func router(_ arguments: [String], in directory: TemporaryDirectory, log: String = "router.log") throws
        -> ChildProcess
    {
        try ChildProcess(BuiltProducts.path("router"), arguments, logPath: directory.file(log))
    }

    private func waitHealthy(_ port: Int) async -> Bool {
        let client = HTTPClient()
        defer { client.shutdown() }
        return await eventually(timeout: .seconds(20)) {
            try await client.send(
                HTTPClientRequest(path: "/health"), to: Endpoint(host: "127.0.0.1", port: port), timeout: .seconds(1)
            ).status == 200
        }
    }

    @Test func sigtermStopsTheStoreGracefullyWithStatusZero() async throws {
        let directory = try TemporaryDirectory("store-cli")
        defer { directory.remove() }
        let port = FreePort.next()
        let store = try router(
            ["store", "--listen", "127.0.0.1:\(port)", "--data-dir", directory.file("d")], in: directory)
        defer { store.kill9() }
        #expect(await waitHealthy(port), "never healthy: \(store.output)")
        store.signal(Posix.SIGTERM)
        #expect(await store.exitStatus(within: .seconds(10)) == 0)
        #expect(store.output.contains("msg=\"store stopping\""))
    }

    @Test func sighupLeavesTheStoreServing() async throws {
        let directory = try TemporaryDirectory("store-cli")
        defer { directory.remove() }
        let port = FreePort.next()
        let store = try router(
            ["store", "--listen", "127.0.0.1:\(port)", "--data-dir", directory.file("d"), "--log-level", "info"],
            in: directory)
        defer { store.kill9() }
        #expect(await waitHealthy(port), "never healthy: \(store.output)")
        store.signal(Posix.SIGHUP)
        #expect(
            await eventually { store.output.contains("msg=\"SIGHUP: nothing to read again; carrying on\"") },
            "\(store.output)")
        #expect(await waitHealthy(port))
        store.signal(Posix.SIGTERM)
        #expect(await store.exitStatus(within: .seconds(10)) == 0)
    }

    @Test func aPortInUseIsOneLineAndStatusOne() async throws {
        let directory = try TemporaryDirectory("store-cli")
        defer { directory.remove() }
        let port = FreePort.next()
        let first = try router(
            ["store", "--listen", "127.0.0.1:\(port)", "--data-dir", directory.file("a")], in: directory, log: "a.log")
        defer { first.stop() }
        #expect(await waitHealthy(port))
        let second = try router(
            ["store", "--listen", "127.0.0.1:\(port)", "--data-dir", directory.file("b"), "--log-level", "error"],
            in: directory, log: "b.log")
        defer { second.kill9() }
        #expect(await second.exitStatus(within: .seconds(10)) == 1)
        #expect(second.output == "router store: bind 127.0.0.1:\(port): Address already in use\n")
    }

    @Test(arguments: [
        (["store", "--bogus"], "router store: unknown flag '--bogus'\n"),
        (
            ["store", "--listen", "nowhere"],
            "router store: flag --listen: 'nowhere' is not HOST:PORT (for example 127.0.0.1:2379)\n"
        ),
        (["store", "--lisen", "127.0.0.1:1"], "router store: unknown flag '--lisen' (did you mean '--listen'?)\n"),
        (["store", "--threads", "0"], "router store: flag --threads: '0' is not a whole number from 1 to 256\n"),
        (
            ["stor"],
            "router: unknown command 'stor'; commands are store, sync, proxy, render, up (see 'router --help')\n"
        ),
    ])
    func usageErrorsAreOneLineAndStatusTwo(_ arguments: [String], _ message: String) throws {
        let directory = try TemporaryDirectory("store-cli")
        defer { directory.remove() }
        let process = try router(arguments, in: directory)
        defer { process.kill9() }
        #expect(process.waitForExit(timeout: .seconds(10)) == 2)
        #expect(process.output == message)
    }

    @Test func helpListsEveryCommandOfTheContract() throws {
        let directory = try TemporaryDirectory("store-cli")
        defer { directory.remove() }
        let process = try router(["--help"], in: directory)
        #expect(process.waitForExit(timeout: .seconds(10)) == 0)
        for command in ["store", "sync", "proxy", "render", "up"] {
            #expect(process.output.contains("\n  \(command) "), "help does not list \(command)")
        }
    }
}
