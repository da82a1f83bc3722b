import KV
import Platform

/// `router store`: the embedded store, served on etcd's v3 JSON gateway and v2 keys API.
enum StoreCommand {
    static let spec = CommandSpec(
        name: "router store",
        synopsis: "router store --listen 127.0.0.1:2379 --data-dir PATH",
        summary:
            "Runs the embedded key-value store (etcd v3 JSON gateway subset and v2 keys API over the same keys, "
            + "/health, /version, /metrics).",
        flags: [
            FlagSpec(
                "listen", value: "ADDR:PORT", help: "where to serve (default 127.0.0.1:2379; loopback unless told)"),
            FlagSpec("data-dir", value: "PATH", help: "write-ahead log and snapshots (default ./switchboard.data)"),
            FlagSpec("threads", value: "N", help: "event-loop threads (default: number of cores)"),
            FlagSpec("history", value: "REVISIONS", help: "revisions of history kept for watches (default 10000)"),
            LogLevelFlag.spec,
            CheckConfig.spec,
        ])

    static func run(_ arguments: [String]) async -> Int32 {
        await spec.run(arguments) { flags in
            let log = Log(component: "store", level: try LogLevelFlag.parse(flags))
            var configuration = StoreServer.Configuration()
            let listen = try ListenAddress.parse(flags.string("listen") ?? "127.0.0.1:2379", flag: "listen")
            configuration.host = listen.host
            configuration.port = listen.port
            configuration.dataDir = flags.string("data-dir") ?? "./switchboard.data"
            configuration.threads = try flags.int("threads", default: configuration.threads, in: 1...256)
            configuration.historyRetention = try flags.int(
                "history", default: configuration.historyRetention, in: 1...100_000_000)
            if CheckConfig.isRequested(flags) { return CheckConfig.passed("store") }
            return try await serve(configuration, log: log)
        }
    }

    private static func serve(_ configuration: StoreServer.Configuration, log: Log) async throws -> Int32 {
        // Before the store starts: a SIGTERM from here on stops it cleanly instead of killing it.
        let lifecycle = Lifecycle(log: log)
        defer { lifecycle.close() }
        // A write past a file-size limit must fail like a full disk (writes refused, reads served), not kill us.
        Posix.ignore(signal: Posix.SIGXFSZ)
        let server = try await lifecycle.start(
            "store", { try StoreServer.start(configuration, log: log) },
            stop: { server in
                log.info("store stopping")
                server.stop()
            })
        log.info(
            "store serving",
            [
                "listen": "\(configuration.host):\(server.port)", "data_dir": configuration.dataDir ?? "-",
                "revision": "\(server.store.currentRevision)",
            ])
        _ = await lifecycle.run()
        return 0
    }
}
