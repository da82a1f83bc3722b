import Formats
import Foundation
import Platform

/// `router sync`'s command line, in DESIGN's spellings and confd's (`-onetime`, `-node`, ...), merged with
/// confd's `confd.toml` when `--config-file` names one: flags win over the file, the file over defaults.
package struct SyncInvocation: Sendable {
    /// Which store the keys come from.
    package enum Backend: Sendable, Equatable {
        case etcd(endpoints: [String])
        case env
        case file(paths: [String], filter: String)
    }

    package var configuration: SyncConfiguration
    package var backend: Backend
    package var logLevel: LogLevel = .info
    package var metricsAddress: String?
    package var checkConfigOnly = false
    package var help = false

    package static let specs = [
        FlagSpec("confdir", value: "DIR", help: "confd directory with conf.d/ and templates/ (default /etc/confd)"),
        FlagSpec("onetime", help: "process every resource once and exit (1 if any failed)"),
        FlagSpec("watch", help: "watch the store and process resources as their keys change"),
        FlagSpec("interval", value: "SECONDS", help: "otherwise process every SECONDS (default 600)"),
        FlagSpec("noop", help: "write nothing; print a unified diff of what would change"),
        FlagSpec("sync-only", help: "write files but run neither check_cmd nor reload_cmd"),
        FlagSpec(
            "store", value: "URL", aliases: ["node"], repeatable: true,
            help: "store endpoint (default http://127.0.0.1:2379)"),
        FlagSpec("backend", value: "NAME", help: "etcd (also etcdv3), env or file (default etcd)"),
        FlagSpec("file", value: "PATH", repeatable: true, help: "YAML or JSON file or directory (backend file)"),
        FlagSpec("filter", value: "GLOB", help: "file names read in --file directories (default *)"),
        FlagSpec("prefix", value: "P", help: "key prefix replacing every resource's own"),
        FlagSpec("wait", value: "MIN:MAX", help: "coalesce changes: quiet MIN, at most MAX (default 2ms:200ms)"),
        FlagSpec("keep-stage-file", help: "keep the staged files"),
        FlagSpec("config-file", value: "PATH", help: "confd.toml to read settings from"),
        FlagSpec("metrics", value: "ADDR:PORT", help: "serve Prometheus metrics on this loopback address"),
        FlagSpec("log-level", value: "LEVEL", help: "trace, debug, info, warning (warn) or error (default info)"),
        FlagSpec("check-config", help: "load flags, resources and templates, then exit 0 (or 2)"),
    ]

    /// The synopsis `router sync --help` shows.
    package static let synopsis = """
        router sync --confdir DIR [--watch | --interval SECONDS | --onetime] [--noop] [--sync-only]
                          [--store URL]... [--backend etcd|env|file] [--file PATH]... [--prefix P]
                          [--wait MIN:MAX] [--keep-stage-file] [--config-file PATH] [--metrics ADDR:PORT]
        """

    /// What `router sync --help` says it does.
    package static let summary = """
        Renders confd template resources from the store, checks them and reloads the service: a drop-in
        for confd (its single-dash flags work too: -onetime -watch -interval -noop -sync-only -confdir
        -config-file -node -prefix -backend -file -log-level -keep-stage-file).
        """

    /// Parses `arguments` (after `sync`); `environment` supplies `ETCDCTL_PEERS` as confd reads it.
    /// - Throws: `UsageError` with a one-line reason.
    package static func parse(
        _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> SyncInvocation {
        let flags = try ParsedFlags.parse(arguments, specs: specs + [FlagSpec("help", aliases: ["h"], help: "")])
        guard flags.positionals.isEmpty else { throw UsageError("unexpected argument '\(flags.positionals[0])'") }
        var file = ConfdFile()
        if let path = flags.string("config-file"), FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw UsageError("cannot read config file \(path)")
            }
            file = try ConfdFile.parse(String(decoding: data, as: UTF8.self), path: path)
        }
        func switchOn(_ name: String, _ fileValue: Bool?) -> Bool { flags.isSet(name) || (fileValue ?? false) }

        var configuration = SyncConfiguration(confDirectory: flags.string("confdir") ?? file.confdir ?? "/etc/confd")
        configuration.prefix = flags.string("prefix") ?? file.prefix ?? ""
        configuration.options = ProcessOptions(
            noop: switchOn("noop", file.noop), syncOnly: switchOn("sync-only", file.syncOnly),
            keepStageFile: switchOn("keep-stage-file", file.keepStageFile))
        let interval: Int
        if let text = flags.string("interval") {
            guard let value = Int(text), value > 0 else {
                throw UsageError("flag --interval: '\(text)' is not a whole number of seconds above 0")
            }
            interval = value
        } else {
            interval = file.interval ?? 600
        }
        if switchOn("onetime", file.onetime) {
            configuration.mode = .onetime
        } else if switchOn("watch", file.watch) {
            configuration.mode = .watch
        } else {
            configuration.mode = .interval(.seconds(interval))
        }
        if let wait = flags.string("wait") ?? file.wait {
            (configuration.waitMinimum, configuration.waitMaximum) = try parseWait(wait)
        }

        var invocation = SyncInvocation(configuration: configuration, backend: .env)
        let backendName = flags.string("backend") ?? file.backend ?? "etcd"
        switch backendName {
        case "etcd", "etcdv3":
            var nodes = flags.strings("store")
            if nodes.isEmpty { nodes = file.nodes ?? [] }
            if nodes.isEmpty, let peers = environment["ETCDCTL_PEERS"], !peers.isEmpty {
                nodes = peers.split(separator: ",").map(String.init)
            }
            if nodes.isEmpty { nodes = ["http://127.0.0.1:2379"] }
            invocation.backend = .etcd(endpoints: nodes)
        case "env":
            invocation.backend = .env
        case "file":
            var paths = flags.strings("file")
            if paths.isEmpty { paths = file.files ?? [] }
            guard !paths.isEmpty else { throw UsageError("backend file needs --file PATH") }
            invocation.backend = .file(paths: paths, filter: flags.string("filter") ?? file.filter ?? "*")
        default:
            throw UsageError("flag --backend: '\(backendName)' is not one of etcd, etcdv3, env, file")
        }
        if let level = flags.string("log-level") ?? file.logLevel {
            guard let parsed = parseLogLevel(level) else {
                throw UsageError("flag --log-level: '\(level)' is not one of trace, debug, info, warning, error")
            }
            invocation.logLevel = parsed
        }
        invocation.metricsAddress = flags.string("metrics") ?? file.metrics
        if let address = invocation.metricsAddress {
            let parsed: HostPort
            do {
                parsed = try HostPort.parse(address, allowsPortZero: true)
            } catch {
                throw UsageError("flag --metrics: '\(address)' is not HOST:PORT (for example 127.0.0.1:9102)")
            }
            guard parsed.host.hasPrefix("127.") || parsed.host == "::1" || parsed.host == "localhost" else {
                throw UsageError("flag --metrics: '\(address)' is not a loopback address")
            }
        }
        invocation.checkConfigOnly = flags.isSet("check-config")
        invocation.help = flags.isSet("help")
        return invocation
    }

    /// `MIN:MAX` or `MIN` (then MAX is 4×MIN, as consul-template does); each a Go-style duration
    /// (`5ms`, `1.5s`, `2m`) or plain seconds.
    package static func parseWait(_ text: String) throws -> (Duration, Duration) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let low = duration(parts[0]) else {
            throw UsageError("flag --wait: '\(text)' is not MIN:MAX (for example 2ms:200ms)")
        }
        let high = parts.count == 2 ? duration(parts[1]) : low * 4
        guard let high, high >= low else {
            throw UsageError("flag --wait: '\(text)' is not MIN:MAX with MIN <= MAX (for example 2ms:200ms)")
        }
        return (low, high)
    }

    static func duration(_ text: Substring) -> Duration? {
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value >= 0, value.isFinite, value * scale < 86400
            else {
                return nil
            }
            return .nanoseconds(Int64(value * scale * 1e9))
        }
        guard let value = Double(text), value >= 0, value < 86400 else { return nil }
        return .nanoseconds(Int64(value * 1e9))
    }

    /// Our levels plus confd's (logrus) names.
    static func parseLogLevel(_ text: String) -> LogLevel? {
        switch text.lowercased() {
        case "warn": .warning
        case "panic", "fatal": .error
        default: LogLevel(name: text.lowercased())
        }
    }
}

/// The settings confd reads from `confd.toml` (its struct's TOML tags, and untagged fields by name).
struct ConfdFile {
    var confdir: String?
    var backend: String?
    var nodes: [String]?
    var prefix: String?
    var noop: Bool?
    var syncOnly: Bool?
    var interval: Int?
    var logLevel: String?
    var watch: Bool?
    var onetime: Bool?
    var keepStageFile: Bool?
    var files: [String]?
    var filter: String?
    var wait: String?
    var metrics: String?

    /// - Throws: `UsageError` with `path:line: reason`.
    static func parse(_ text: String, path: String) throws -> ConfdFile {
        let table: TOMLTable
        do {
            table = try TOMLReader.parse(text, file: path)
        } catch {
            throw UsageError("config file \(error)")
        }
        var file = ConfdFile()
        for entry in table.entries {
            let where_ = "config file \(path):\(entry.line)"
            func string() throws -> String {
                guard case .string(let s) = entry.value else {
                    throw UsageError("\(where_): \(entry.key) must be a string")
                }
                return s
            }
            func bool() throws -> Bool {
                guard case .bool(let b) = entry.value else {
                    throw UsageError("\(where_): \(entry.key) must be true or false")
                }
                return b
            }
            func strings() throws -> [String] {
                if case .string(let s) = entry.value { return [s] }
                guard case .array(let items) = entry.value else {
                    throw UsageError("\(where_): \(entry.key) must be an array of strings")
                }
                return try items.map { item in
                    guard case .string(let s) = item else {
                        throw UsageError("\(where_): \(entry.key) must be an array of strings")
                    }
                    return s
                }
            }
            switch entry.key.lowercased() {
            case "confdir": file.confdir = try string()
            case "backend": file.backend = try string()
            case "nodes", "backendnodes": file.nodes = try strings()
            case "prefix": file.prefix = try string()
            case "noop": file.noop = try bool()
            case "sync-only", "synconly": file.syncOnly = try bool()
            case "interval":
                guard case .integer(let n) = entry.value, n > 0, n < Int64(Int32.max) else {
                    throw UsageError("\(where_): interval must be a whole number of seconds above 0")
                }
                file.interval = Int(n)
            case "log-level", "loglevel": file.logLevel = try string()
            case "watch": file.watch = try bool()
            case "onetime": file.onetime = try bool()
            case "keepstagefile", "keep-stage-file", "keep_stage_file": file.keepStageFile = try bool()
            case "file", "yamlfile": file.files = try strings()
            case "filter": file.filter = try string()
            case "wait": file.wait = try string()
            case "metrics": file.metrics = try string()
            default: break  // confd ignores settings it does not know (credentials for other backends, ...)
            }
        }
        return file
    }
}
