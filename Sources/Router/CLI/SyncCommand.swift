import HTTP
import KV
import Platform
import Sync

/// `router sync`: confd rebuilt. Parses flags (both spellings) and wires a backend to the engine.
enum SyncCommand {
    static let spec = CommandSpec(
        name: "router sync", synopsis: SyncInvocation.synopsis, summary: SyncInvocation.summary,
        flags: SyncInvocation.specs)

    /// A failure that is not the user's typing: exit status 1.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ arguments: [String]) async -> Int32 {
        await spec.run(arguments) { _ in
            let invocation = try SyncInvocation.parse(arguments)
            return try await run(invocation)
        }
    }

    static func run(_ invocation: SyncInvocation) async throws -> Int32 {
        let log = Log(component: "sync", level: invocation.logLevel)
        let backend: any SyncBackend
        var client: EtcdClient? = nil
        switch invocation.backend {
        case .etcd(let urls):
            let endpoints: [Endpoint]
            do {
                endpoints = try EtcdClient.endpoints(from: urls)
            } catch {
                throw UsageError("flag --store: \(error)")
            }
            let etcd = try EtcdClient(configuration: EtcdClient.Configuration(endpoints: endpoints), log: log)
            client = etcd
            backend = EtcdBackend(store: etcd)
            log.info("backend set to etcd", ["nodes": urls.joined(separator: ",")])
        case .env:
            backend = EnvBackend()
            log.info("backend set to env")
        case .file(let paths, let filter):
            backend = FileBackend(paths: paths, filter: filter)
            log.info("backend set to file", ["files": paths.joined(separator: ",")])
        }
        defer { client?.close() }
        if invocation.checkConfigOnly {
            let problems = SyncEngine.check(invocation.configuration)
            for problem in problems { printError("router sync: \(problem)") }
            return problems.isEmpty ? CheckConfig.passed("sync") : 2
        }
        // Signals first: a SIGTERM while the backend connects must stop us cleanly, not by default action.
        let lifecycle = Lifecycle(log: log)
        defer { lifecycle.close() }
        let engine = SyncEngine(
            configuration: invocation.configuration, backend: backend, log: log,
            output: { Posix.writeStandardOutput($0) })
        var metricsServer: MetricsServer? = nil
        if let address = invocation.metricsAddress {
            do {
                let server = try MetricsServer(address: address, metrics: engine.metrics, log: log)
                let port = try server.start()
                log.info("metrics serving", ["listen": address, "port": "\(port)"])
                metricsServer = server
            } catch {
                throw Failure(description: "metrics \(address): \(error)")
            }
        }
        defer { metricsServer?.stop() }
        log.info("starting", ["confdir": invocation.configuration.confDirectory])
        // The engine keeps its own event loop (SIGTERM finishes the write in progress, SIGHUP re-reads the
        // resources); the lifecycle is where those signals come from and what stops it.
        let (events, input) = AsyncStream<SignalEvents.Event>.makeStream()
        let running = Task { await engine.run(signals: events) }
        lifecycle.onReload { input.yield(.reload) }
        lifecycle.add("sync") {
            input.yield(.terminate(Posix.SIGTERM))
            _ = await running.value
        }
        Task { lifecycle.finish("sync", status: await running.value) }
        switch await lifecycle.run() {
        case .finished(_, let status): return status
        case .signal: return await running.value
        case .failed: return 1
        }
    }
}
