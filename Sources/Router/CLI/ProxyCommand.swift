import HTTP
import KV
import Platform
import Proxy

/// `router proxy`: the built-in reverse proxy, routing `<app>.<domain>` from the store's watch.
enum ProxyCommand {
    static let spec = CommandSpec(
        name: "router proxy",
        synopsis: "router proxy --listen ADDR:PORT --domain DOMAIN [--prefix P] [--store URL]... [--workers N]\n"
            + "                    [--admin 127.0.0.1:PORT]",
        summary: "Routes http://<app>.<domain> to the live instances under <prefix>/<app>/, following the store's "
            + "watch.\nUnknown hosts get 404, apps with no live instance 503. SIGTERM/SIGINT drain and exit 0.",
        flags: [
            FlagSpec("listen", value: "ADDR:PORT", help: "where clients connect (required; loopback unless told)"),
            FlagSpec("domain", value: "DOMAIN", help: "requests for <app>.DOMAIN go to app's instances (required)"),
            FlagSpec("prefix", value: "P", help: "store prefix of the instances (default /services/web)"),
            FlagSpec(
                "store", value: "URL", repeatable: true,
                help: "store endpoint, repeatable or comma-separated (default http://127.0.0.1:2379)"),
            FlagSpec("workers", value: "N", help: "event-loop threads (default 1)"),
            FlagSpec("admin", value: "ADDR:PORT", help: "admin listener for /metrics and /health (default none)"),
            FlagSpec("max-connections", value: "N", help: "client connections open at once (default 10000)"),
            FlagSpec(
                "grace", value: "SECONDS", help: "on SIGTERM, how long requests in flight may finish (default 10)"),
            LogLevelFlag.spec,
            FlagSpec("check-config", help: "validate the flags and exit"),
        ])

    static func run(_ arguments: [String]) async -> Int32 {
        await spec.run(arguments) { flags in
            let log = Log(component: "proxy", level: try LogLevelFlag.parse(flags))
            var configuration = ProxyConfiguration()
            guard let listenText = flags.string("listen") else { throw UsageError("--listen ADDR:PORT is required") }
            let listen = try ListenAddress.parse(listenText, flag: "listen")
            configuration.host = listen.host
            configuration.port = listen.port
            guard let domain = flags.string("domain"), !domain.isEmpty else {
                throw UsageError("--domain DOMAIN is required")
            }
            configuration.domain = domain
            if let prefix = flags.string("prefix") {
                guard prefix.hasPrefix("/") else { throw UsageError("flag --prefix: '\(prefix)' must start with '/'") }
                configuration.prefix = prefix
            }
            configuration.workers = try flags.int("workers", default: 1, in: 1...256)
            configuration.maxConnections = try flags.int(
                "max-connections", default: configuration.maxConnections, in: 1...1_000_000)
            if let admin = flags.string("admin") {
                let address = try ListenAddress.parse(admin, flag: "admin")
                configuration.admin = HostPort(host: address.host, port: address.port)
            }
            let grace = try flags.seconds("grace", default: .seconds(10), in: 0...3600)
            let urls = flags.strings("store").isEmpty ? ["http://127.0.0.1:2379"] : flags.strings("store")
            let endpoints: [Endpoint]
            do {
                endpoints = try EtcdClient.endpoints(from: urls)
            } catch {
                throw UsageError("flag --store: \(error)")
            }
            if flags.isSet("check-config") {
                printOut("router proxy: configuration ok")
                return 0
            }
            return try await serve(configuration, endpoints: endpoints, grace: grace, log: log)
        }
    }

    private static func serve(
        _ configuration: ProxyConfiguration, endpoints: [Endpoint], grace: Duration, log: Log
    ) async throws -> Int32 {
        let lifecycle = Lifecycle(log: log)
        defer { lifecycle.close() }
        let store = try await lifecycle.start(
            "store client", { try EtcdClient(configuration: EtcdClient.Configuration(endpoints: endpoints), log: log) },
            stop: { $0.close() })
        let proxy = ProxyServer(configuration: configuration, store: store, log: log)
        _ = try await lifecycle.start(
            "proxy", { try proxy.start() },
            stop: { _ in
                log.info("proxy stopping", ["grace": "\(grace)"])
                await proxy.shutdown(grace: grace)
            })
        if case .failed = await lifecycle.run() { return 1 }
        return 0
    }
}
