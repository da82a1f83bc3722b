import KV
import Platform
import Sync

/// `router sync`: confd rebuilt. Parses flags (both spellings) and wires a backend to the engine.
enum SyncCommand {
    static func run(_ arguments: [String]) async -> Int32 {
        let invocation: SyncInvocation
        do {
            invocation = try SyncInvocation.parse(arguments)
        } catch {
            Posix.writeStandardError("router sync: \(error) (see router sync --help)\n")
            return 2
        }
        if invocation.help {
            Posix.writeStandardOutput(SyncInvocation.usage + "\n")
            return 0
        }
        let log = Log(component: "sync", level: invocation.logLevel)
        let backend: any SyncBackend
        var client: EtcdClient? = nil
        switch invocation.backend {
        case .etcd(let urls):
            do {
                let etcd = try EtcdClient(
                    configuration: EtcdClient.Configuration(endpoints: try EtcdClient.endpoints(from: urls)), log: log)
                client = etcd
                backend = EtcdBackend(store: etcd)
            } catch {
                Posix.writeStandardError("router sync: \(error) (see router sync --help)\n")
                return 2
            }
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
            for problem in problems { Posix.writeStandardError("router sync: \(problem)\n") }
            return problems.isEmpty ? 0 : 2
        }
        let signals = SignalEvents()
        defer { signals.cancel() }
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
                Posix.writeStandardError("router sync: metrics \(address): \(error)\n")
                return 1
            }
        }
        defer { metricsServer?.stop() }
        log.info("starting", ["confdir": invocation.configuration.confDirectory])
        return await engine.run(signals: signals.events)
    }
}
