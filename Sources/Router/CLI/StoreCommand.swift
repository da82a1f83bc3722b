import HTTP
import KV
import Platform

/// `router store`: the embedded store, served on etcd's v3 JSON gateway.
enum StoreCommand {
    static let specs = [
        FlagSpec("listen", value: "ADDR:PORT", help: "where to serve (default 127.0.0.1:2379; loopback unless told)"),
        FlagSpec("data-dir", value: "PATH", help: "write-ahead log and snapshots (default ./switchboard.data)"),
        FlagSpec("threads", value: "N", help: "event-loop threads (default: number of cores)"),
        FlagSpec("history", value: "REVISIONS", help: "revisions of history kept for watches (default 10000)"),
        FlagSpec("log-level", value: "LEVEL", help: "trace, debug, info, warning or error (default info)"),
        CheckConfig.spec,
        FlagSpec("help", aliases: ["h"], help: "show this help"),
    ]

    static let usage =
        "usage: router store --listen 127.0.0.1:2379 --data-dir PATH\n\n"
        + "Runs the embedded key-value store (etcd v3 JSON gateway subset, /health, /version, /metrics).\n\nflags:\n"
        + specs.map(\.helpLine).joined(separator: "\n")

    static func run(_ arguments: [String]) async -> Int32 {
        let configuration: StoreServer.Configuration
        let log: Log
        do {
            let flags = try ParsedFlags.parse(arguments, specs: specs)
            if flags.isSet("help") {
                printOut(usage)
                return 0
            }
            guard flags.positionals.isEmpty else {
                throw UsageError("router store: unexpected argument '\(flags.positionals[0])'")
            }
            log = Log(component: "store", level: try LogLevelFlag.parse(flags))
            var c = StoreServer.Configuration()
            let listen = try ListenAddress.parse(flags.string("listen") ?? "127.0.0.1:2379", flag: "listen")
            c.host = listen.host
            c.port = listen.port
            c.dataDir = flags.string("data-dir") ?? "./switchboard.data"
            c.threads = try flags.int("threads", default: c.threads, in: 1...256)
            c.historyRetention = try flags.int("history", default: c.historyRetention, in: 1...100_000_000)
            configuration = c
            if CheckConfig.isRequested(flags) { return CheckConfig.passed("store") }
        } catch {
            printError("router store: \(error)")
            return 2
        }
        // Before the store starts: a SIGTERM from here on stops it cleanly instead of killing it.
        let lifecycle = Lifecycle(log: log)
        defer { lifecycle.close() }
        // A write past a file-size limit must fail like a full disk (writes refused, reads served), not kill us.
        Posix.ignore(signal: Posix.SIGXFSZ)
        let server: StoreServer
        do {
            server = try await lifecycle.start(
                "store", { try StoreServer.start(configuration, log: log) },
                stop: { server in
                    log.info("store stopping")
                    server.stop()
                })
        } catch {
            printError("router store: \(error)")
            return 1
        }
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
