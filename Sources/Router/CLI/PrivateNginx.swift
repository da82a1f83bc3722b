import Foundation
import Platform

/// The nginx `router up --nginx` runs for itself: its own prefix under the data directory, its own main
/// config, in the foreground as our child (so stopping `up` stops it, workers included), reloaded by SIGHUP.
struct PrivateNginx: Sendable {
    /// `<data-dir>/nginx`: main config, pid, error log, temp paths.
    let prefix: String
    let listen: ListenAddress

    /// Where the sync engine installs the rendered app config; the main config includes it.
    var appsConfig: String { prefix + "/conf.d/apps.conf" }
    var mainConfig: String { prefix + "/nginx.conf" }
    var errorLog: String { prefix + "/error.log" }

    /// The nginx binary.
    /// - Throws: `UsageError` saying how to install it.
    static func executable() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin"
        let candidates = path.split(separator: ":").map { "\($0)/nginx" } + ["/usr/sbin/nginx"]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw UsageError("--nginx needs nginx, which is not installed (apt-get install nginx)")
        }
        return found
    }

    /// The main config: one catch-all server answering 404 for unknown hosts, then the apps' servers.
    var mainConfigText: String {
        let host = listen.host.contains(":") ? "[\(listen.host)]" : listen.host
        return """
            # Written by `router up --nginx` at every start; edits are overwritten.
            daemon off;
            worker_processes 1;
            pid \(prefix)/nginx.pid;
            error_log \(errorLog) warn;
            events { worker_connections 4096; }
            http {
                access_log off;
                client_body_temp_path \(prefix)/tmp/body;
                proxy_temp_path \(prefix)/tmp/proxy;
                fastcgi_temp_path \(prefix)/tmp/fastcgi;
                uwsgi_temp_path \(prefix)/tmp/uwsgi;
                scgi_temp_path \(prefix)/tmp/scgi;
                server {
                    listen \(host):\(listen.port) default_server;
                    return 404 "no app is registered for this host\\n";
                }
                include \(prefix)/conf.d/*.conf;
            }

            """
    }

    /// Creates the prefix and writes the main config (and an empty apps config, so nginx starts with none).
    func prepare() throws {
        for directory in [prefix + "/conf.d", prefix + "/tmp"] { try Directory.create(directory) }
        try Data(mainConfigText.utf8).write(to: URL(fileURLWithPath: mainConfig), options: .atomic)
        if !FileManager.default.fileExists(atPath: appsConfig) {
            try Data().write(to: URL(fileURLWithPath: appsConfig))
        }
    }

    /// Starts nginx in the foreground under this prefix.
    /// - Throws: `SystemError` when it cannot be spawned.
    func start() throws -> Subprocess {
        // -e: errors before the config is read go to our log too, not to /var/log/nginx (unwritable for users).
        try Subprocess(executable: try Self.executable(), arguments: ["-e", errorLog, "-p", prefix, "-c", mainConfig])
    }

    /// Stops nginx (SIGTERM), then SIGKILL to its whole group if it is still there after `grace`.
    static func stop(_ process: Subprocess, exited: Task<Subprocess.Outcome, Never>, grace: Duration) async {
        process.send(Posix.SIGTERM)
        let killer = Task {
            try? await Task.sleep(for: grace)
            process.killGroup()
        }
        _ = await exited.value
        killer.cancel()
    }
}
