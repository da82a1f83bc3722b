import Foundation
import KV
import Platform

/// `router up`: one machine, one command. The embedded store and the router (built-in proxy reading the
/// store in process, or a private nginx driven by the sync engine) started as one ordered group; Ctrl-C
/// or SIGTERM stops the router first, then the store, and leaves nothing running.
package enum UpCommand {
    /// Runs the command with the arguments after `up`; returns the exit status.
    package static func run(_ arguments: [String]) async -> Int32 {
        await UpOptions.spec.run(arguments) { flags in
            let options = try UpOptions.parse(flags, environment: ProcessInfo.processInfo.environment)
            // Everything --nginx needs is checked before anything starts (and by --check-config).
            if options.nginx {
                _ = try PrivateNginx.executable()
                _ = try UpNginx.shippedTemplates()
            }
            if options.checkOnly { return CheckConfig.passed("up") }
            return try await serve(options)
        }
    }

    private static func serve(_ options: UpOptions) async throws -> Int32 {
        if options.nginx { UpNginx.exportTemplateEnvironment(options) }
        let log = Log(component: "up", level: options.logLevel)
        // Before anything starts: a Ctrl-C from here on stops what has started.
        let lifecycle = Lifecycle(log: log)
        defer { lifecycle.close() }
        // A write past a file-size limit must fail like a full disk, not kill the process (as `router store`).
        Posix.ignore(signal: Posix.SIGXFSZ)
        let routerPort: Int
        let storePort: Int
        do {
            try Directory.create(options.dataDir + "/store")
            var storeConfiguration = StoreServer.Configuration()
            storeConfiguration.host = options.storeListen.host
            storeConfiguration.port = options.storeListen.port
            storeConfiguration.dataDir = options.dataDir + "/store"
            storeConfiguration.threads = 1
            let storeLog = Log(component: "store", level: options.logLevel)
            let server = try await lifecycle.start(
                "store", { try StoreServer.start(storeConfiguration, log: storeLog) }, stop: { $0.stop() })
            storePort = server.port
            log.info(
                "store serving",
                [
                    "listen": "\(options.storeListen.host):\(server.port)", "data_dir": options.dataDir + "/store",
                    "revision": "\(server.store.currentRevision)",
                ])
            if options.nginx {
                routerPort = try await UpRouter.startNginx(options, store: server.store, in: lifecycle)
            } else {
                routerPort = try await UpRouter.startProxy(options, store: server.store, in: lifecycle)
            }
        } catch {
            await lifecycle.stopAll()
            throw error
        }
        printOut(banner(options, storePort: storePort, routerPort: routerPort, announcer: announcerCommand()))
        let ending = await lifecycle.run()
        log.info("stopped", ["reason": ending.description])
        if case .signal = ending { return 0 }
        return 1
    }

    /// What `up` prints once everything serves: where things are, and the two lines that make an app reachable.
    static func banner(_ options: UpOptions, storePort: Int, routerPort: Int, announcer: String) -> String {
        let host = options.listen.host.contains(":") ? "[\(options.listen.host)]" : options.listen.host
        let port = routerPort == 80 ? "" : ":\(routerPort)"
        let storeHost =
            options.storeListen.host.contains(":") ? "[\(options.storeListen.host)]" : options.storeListen.host
        let store = "http://\(storeHost):\(storePort)"
        // curl resolves *.localhost to loopback by itself; any other domain needs a Host header (or DNS).
        let curl =
            options.domain == "localhost" && (host == "127.0.0.1" || host == "localhost")
            ? "curl http://hello.localhost\(port)/"
            : "curl -H 'Host: hello.\(options.domain)' http://\(host)\(port)/"
        return """
            router up: serving http://<app>.\(options.domain)\(port)/ on \(host):\(routerPort) \
            (\(options.nginx ? "private nginx" : "built-in proxy")), store \(store), data in \(options.dataDir)
            To route an app (here one listening on 127.0.0.1:3000), announce it, then curl it:
              \(announcer) --app hello --instance 1 --address 127.0.0.1:3000 --interval 2 --store \(store)
              \(curl)
            Ctrl-C stops everything.
            """
    }

    /// The announcer built beside this binary (as `swift run` and `swift build` leave them), else the bare name.
    static func announcerCommand() -> String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let sibling = executable.deletingLastPathComponent().appendingPathComponent("announcer").path
        return FileManager.default.isExecutableFile(atPath: sibling) ? sibling : "announcer"
    }
}
