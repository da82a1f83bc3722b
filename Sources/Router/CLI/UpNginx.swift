import Foundation
import KV
import Platform
import Sync

/// `router up --nginx`: the shipped template and resource, pointed at a private nginx. The sync engine reads
/// the embedded store in process and installs `<data-dir>/nginx/conf.d/apps.conf` (staged, `nginx -t`-checked,
/// renamed); nginx is reloaded with SIGHUP. Start order store, nginx, sync; stop order the reverse.
enum UpNginx {
    /// Starts nginx and the sync engine feeding it; returns nginx's port.
    /// - Throws: `UpError`, `UsageError` or `SystemError` with a one-line reason; what it started is stopped again.
    static func start(_ options: UpOptions, store: MemoryStore, in lifecycle: Lifecycle) async throws -> Int {
        let nginx = PrivateNginx(prefix: options.dataDir + "/nginx", listen: options.listen)
        let confdir = nginx.prefix + "/confd"
        try nginx.prepare()
        try writeResource(nginx: nginx, confdir: confdir, keyPrefix: options.prefix)

        let log = Log(component: "nginx", level: options.logLevel)
        let (_, exited) = try await lifecycle.start(
            "nginx",
            {
                let process = try nginx.start()
                return (process, Task { await process.wait() })
            },
            stop: { process, exited in
                log.info("nginx stopping", ["pid": "\(process.pid)"])
                await PrivateNginx.stop(process, exited: exited, grace: .seconds(5))
            })
        // nginx dying by itself ends `up` (and so the store): better than serving nothing silently.
        Task {
            let outcome = await exited.value
            if !outcome.killed {
                let ended =
                    switch outcome.termination {
                    case .exited(let status): "exited with status \(status)"
                    case .signalled(let signal): "ended by signal \(signal)"
                    }
                let said = String(decoding: outcome.standardError, as: UTF8.self).split(separator: "\n").first
                lifecycle.fail("nginx", reason: ended + (said.map { ": \($0)" } ?? ""))
            }
        }
        guard await listening(options.listen) else {
            let errors = (try? String(contentsOfFile: nginx.errorLog, encoding: .utf8)) ?? ""
            throw UpError(
                "nginx did not start listening on \(options.listen.host):\(options.listen.port): "
                    + (errors.split(separator: "\n").last.map(String.init) ?? "see \(nginx.errorLog)"))
        }
        log.info("nginx serving", ["listen": "\(options.listen.host):\(options.listen.port)", "prefix": nginx.prefix])

        var configuration = SyncConfiguration(confDirectory: confdir)
        configuration.mode = .watch
        let problems = SyncEngine.check(configuration)
        guard problems.isEmpty else { throw UpError("shipped template: \(problems.joined(separator: "; "))") }
        let engine = SyncEngine(
            configuration: configuration, backend: EtcdBackend(store: store),
            log: Log(component: "sync", level: options.logLevel), output: { _ in })
        let (events, input) = AsyncStream<SignalEvents.Event>.makeStream()
        let running = Task { await engine.run(signals: events) }
        // SIGHUP to `up --nginx` does what it does to `router sync`: read the resources and templates again.
        lifecycle.onReload { input.yield(.reload) }
        lifecycle.add("sync") {
            input.yield(.terminate(Posix.SIGTERM))
            _ = await running.value
        }
        Task {
            let status = await running.value
            if status != 0 { lifecycle.fail("sync", reason: "the sync engine ended with status \(status)") }
        }
        return options.listen.port
    }

    /// Sets what the shipped template reads with `getenv` (the engine renders in this process). Call it before
    /// any thread starts: `setenv` is not safe against concurrent `getenv`.
    static func exportTemplateEnvironment(_ options: UpOptions) {
        let host = options.listen.host.contains(":") ? "[\(options.listen.host)]" : options.listen.host
        setenv("ROUTER_NGINX_LISTEN", "\(host):\(options.listen.port)", 1)
        setenv("ROUTER_DOMAIN", options.domain, 1)
    }

    /// The shipped template, unchanged, and a resource naming it: installed into our nginx's conf.d, checked by
    /// the shipped `nginx-check-staged` against our main config, reloaded by SIGHUP to our nginx.
    static func writeResource(nginx: PrivateNginx, confdir: String, keyPrefix: String) throws {
        let shipped = try shippedTemplates()
        try FileManager.default.createDirectory(atPath: confdir + "/conf.d", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: confdir + "/templates", withIntermediateDirectories: true)
        let template = try Data(contentsOf: URL(fileURLWithPath: shipped + "/templates/nginx.tmpl"))
        try template.write(to: URL(fileURLWithPath: confdir + "/templates/nginx.tmpl"), options: .atomic)
        let check = "\(shipped)/nginx-check-staged {{.src}} \(nginx.appsConfig) \(nginx.mainConfig)"
        let resource = """
            # Written by `router up --nginx` at every start from templates/conf.d/nginx.toml; edits are overwritten.
            [template]
            src = "nginx.tmpl"
            dest = \(toml(nginx.appsConfig))
            keys = [\(toml(keyPrefix))]
            mode = "0644"
            check_cmd = \(toml(check))
            reload_cmd = \(toml("kill -HUP $(cat \(nginx.prefix)/nginx.pid)"))

            """
        try Data(resource.utf8).write(to: URL(fileURLWithPath: confdir + "/conf.d/nginx.toml"), options: .atomic)
    }

    /// The checkout's templates/, the shipped confdir (templates/nginx.tmpl, nginx-check-staged): beside the
    /// working directory or above the
    /// executable (`swift run` leaves it in .build/<triple>/debug).
    static func shippedTemplates() throws -> String {
        var candidates = [FileManager.default.currentDirectoryPath + "/templates"]
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.path + "/templates")
            directory = directory.deletingLastPathComponent()
        }
        let found = candidates.first {
            FileManager.default.fileExists(atPath: $0 + "/templates/nginx.tmpl")
                && FileManager.default.isExecutableFile(atPath: $0 + "/nginx-check-staged")
        }
        guard let found else {
            throw UsageError(
                "--nginx: cannot find templates/templates/nginx.tmpl and templates/nginx-check-staged "
                    + "(run it from the Switchboard checkout)")
        }
        return URL(fileURLWithPath: found).standardizedFileURL.path
    }

    /// A TOML basic string.
    static func toml(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Waits (at most 5 s) until something accepts connections on `address`.
    static func listening(_ address: ListenAddress) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if (try? await TCPProbe.connect(host: address.host, port: address.port, timeout: .milliseconds(200))) != nil
            {
                return true
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
