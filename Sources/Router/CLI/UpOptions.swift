import Foundation
import Platform

/// `router up`'s command line, validated as a whole before anything starts.
struct UpOptions: Equatable {
    var listen = ListenAddress(host: "127.0.0.1", port: 8080)
    var storeListen = ListenAddress(host: "127.0.0.1", port: 2379)
    var domain = "localhost"
    /// Holds `store/` (the store's log and snapshots) and, with `--nginx`, `nginx/` (nginx's prefix).
    var dataDir: String
    var nginx = false
    var prefix = "/services/web"
    var logLevel = LogLevel.info
    var checkOnly = false

    static let spec = CommandSpec(
        name: "router up",
        synopsis: "router up [--listen 127.0.0.1:8080] [--store-listen 127.0.0.1:2379] [--domain localhost]\n"
            + "                 [--data-dir PATH] [--nginx]",
        summary: "One machine, one command: the embedded store and the built-in proxy (or, with --nginx, a private\n"
            + "nginx driven by the sync engine) in one process. Announce an app into the store and it is served at\n"
            + "http://<app>.<domain>:<port>/. Ctrl-C stops everything. Exit status: 0 stopped by Ctrl-C or SIGTERM,\n"
            + "1 runtime failure, 2 usage error.",
        flags: [
            FlagSpec("listen", value: "ADDR:PORT", help: "where apps are served (default 127.0.0.1:8080)"),
            FlagSpec(
                "store-listen", value: "ADDR:PORT", help: "where the store serves announcers (default 127.0.0.1:2379)"),
            FlagSpec("domain", value: "DOMAIN", help: "apps are served as <app>.<domain> (default localhost)"),
            FlagSpec(
                "data-dir", value: "PATH",
                help: "store data and nginx prefix (default $XDG_DATA_HOME/switchboard or ~/.local/share/switchboard)"),
            FlagSpec("nginx", help: "route through a private nginx driven by the sync engine, not the built-in proxy"),
            FlagSpec("prefix", value: "P", help: "key prefix apps are registered under (default /services/web)"),
            LogLevelFlag.spec,
            CheckConfig.spec,
        ])

    /// The per-user data directory: `$XDG_DATA_HOME/switchboard`, else `$HOME/.local/share/switchboard`.
    static func defaultDataDir(environment: [String: String]) -> String {
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return xdg + "/switchboard" }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.local/share/switchboard" }
        return "./switchboard.data"
    }

    /// Validates parsed flags as a whole.
    /// - Throws: `UsageError` naming the flag and what it accepts.
    static func parse(_ flags: ParsedFlags, environment: [String: String]) throws -> UpOptions {
        var options = UpOptions(dataDir: flags.string("data-dir") ?? defaultDataDir(environment: environment))
        if let text = flags.string("listen") { options.listen = try ListenAddress.parse(text, flag: "listen") }
        if let text = flags.string("store-listen") {
            options.storeListen = try ListenAddress.parse(text, flag: "store-listen")
        }
        if options.listen == options.storeListen && options.listen.port != 0 {
            throw UsageError("flags --listen and --store-listen are both \(options.listen.host):\(options.listen.port)")
        }
        if let domain = flags.string("domain") {
            let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
            let valid = labels.allSatisfy { label in
                !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
            guard valid else {
                throw UsageError(
                    "flag --domain: '\(domain)' is not a domain name (for example localhost or example.com)")
            }
            options.domain = domain.lowercased()
        }
        if options.dataDir.isEmpty { throw UsageError("flag --data-dir: the path is empty") }
        if let prefix = flags.string("prefix") {
            guard prefix.hasPrefix("/"), !prefix.contains(" ") else {
                throw UsageError("flag --prefix: '\(prefix)' must start with '/' and hold no spaces")
            }
            options.prefix = prefix
        }
        options.nginx = flags.isSet("nginx")
        if options.nginx && options.listen.port == 0 {
            throw UsageError("flag --listen: --nginx needs a fixed port, not 0")
        }
        options.logLevel = try LogLevelFlag.parse(flags)
        options.checkOnly = CheckConfig.isRequested(flags)
        return options
    }
}
