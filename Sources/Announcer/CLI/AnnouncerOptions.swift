import Platform

/// The announcer's command line, validated as a whole before anything starts (DESIGN rule 4).
package struct AnnouncerOptions: Sendable, Hashable {
    package var app: String
    package var instance: String
    package var address: HostPort
    package var check: CheckTarget
    package var checkTimeout: Duration
    package var rise = 1
    package var fall = 1
    /// Lease TTL in seconds.
    package var ttl: Int64 = 60
    package var interval: Duration = .seconds(45)
    package var stores: [String] = ["http://127.0.0.1:2379"]
    package var prefix = "/services/web"
    package var logLevel: LogLevel = .info
    /// `--check-config`: validate and exit instead of running.
    package var checkOnly = false

    /// `<prefix>/<app>/<app>@<instance>`, DESIGN's key layout.
    package var key: String { "\(prefix)/\(app)/\(app)@\(instance)" }

    package static let specs = [
        FlagSpec("app", value: "NAME", help: "the app's name: the key is <prefix>/<app>/<app>@<instance> (required)"),
        FlagSpec("instance", value: "ID", help: "this instance's ID, e.g. the fleet unit's %i (required)"),
        FlagSpec("address", value: "HOST:PORT", help: "where routers reach the instance; the key's value (required)"),
        FlagSpec(
            "check", value: "TARGET",
            help: "http://HOST:PORT/PATH (2xx/3xx), tcp://HOST:PORT or exec:COMMAND (default tcp://<address>)"),
        FlagSpec("check-timeout", value: "SECONDS", help: "longest a check may take (default 2, at most --interval)"),
        FlagSpec("rise", value: "N", help: "consecutive passing checks to register (default 1)"),
        FlagSpec("fall", value: "N", help: "consecutive failing checks to deregister (default 1)"),
        FlagSpec(
            "ttl", value: "SECONDS", help: "lease TTL: the key outlives a killed announcer this long (default 60)"),
        FlagSpec("interval", value: "SECONDS", help: "time between checks and lease renewals (default 45)"),
        FlagSpec(
            "store", value: "URL", repeatable: true,
            help: "store endpoint(s), tried in turn (default http://127.0.0.1:2379)"),
        FlagSpec("prefix", value: "P", help: "key prefix (default /services/web)"),
        FlagSpec("log-level", value: "LEVEL", help: "trace, debug, info, warning or error (default info)"),
        FlagSpec("check-config", help: "validate the flags, print 'configuration ok' and exit (0 valid, 2 not)"),
        FlagSpec("help", aliases: ["h"], help: "show this help"),
    ]

    package static let usage =
        """
        usage: announcer --app NAME --instance ID --address HOST:PORT
                         [--check http://HOST:PORT/PATH | tcp://HOST:PORT | exec:COMMAND]
                         [--ttl SECONDS] [--interval SECONDS] [--store URL]... [--prefix P]

        Keeps <prefix>/<app>/<app>@<instance> = HOST:PORT in the store under a TTL lease while, and only while,
        the instance passes its health check; deletes it when the check fails or on SIGTERM/SIGINT.

        flags:

        """ + specs.map(\.helpLine).joined(separator: "\n")
        + "\n\nExit status: 0 stopped cleanly, 1 runtime failure, 2 usage error."

    /// Parses and validates the arguments; nil when `--help` was asked.
    /// - Throws: `UsageError` with a one-line message naming the flag and what it accepts.
    package static func parse(_ arguments: [String]) throws(UsageError) -> AnnouncerOptions? {
        let flags: ParsedFlags
        do {
            flags = try ParsedFlags.parse(arguments, specs: specs)
        } catch let error as UsageError {
            throw error.withoutFlagWord
        } catch {
            throw UsageError("\(error)")
        }
        if flags.isSet("help") { return nil }
        if let extra = flags.positionals.first { throw UsageError("unexpected argument '\(extra)'") }

        let app = try segment(flags, "app", example: "web")
        let instance = try segment(flags, "instance", example: "1")
        guard let addressText = flags.string("address") else {
            throw UsageError("--address is required (where routers reach this instance, e.g. --address 10.0.0.5:8080)")
        }
        let address: HostPort
        do {
            address = try HostPort.parse(addressText)
        } catch {
            throw UsageError("--address '\(addressText)': \(error.message)")
        }
        var check = CheckTarget.tcp(address)
        if let text = flags.string("check") {
            do {
                check = try CheckTarget.parse(text)
            } catch {
                throw UsageError("--check '\(text)': \(error.message)")
            }
        }
        var options = AnnouncerOptions(
            app: app, instance: instance, address: address, check: check, checkTimeout: .seconds(2))
        do {
            options.ttl = Int64(try flags.int("ttl", default: 60, in: 1...86_400))
            options.interval = try flags.seconds("interval", default: .seconds(45), in: 0.05...86_400)
            options.rise = try flags.int("rise", default: 1, in: 1...100)
            options.fall = try flags.int("fall", default: 1, in: 1...100)
            let explicitTimeout = flags.string("check-timeout") != nil
            options.checkTimeout = try flags.seconds("check-timeout", default: .seconds(2), in: 0.01...3600)
            if !explicitTimeout && options.checkTimeout > options.interval { options.checkTimeout = options.interval }
        } catch let error as UsageError {
            throw error.withoutFlagWord
        } catch {
            throw UsageError("\(error)")
        }
        guard options.interval < .seconds(options.ttl) else {
            throw UsageError(
                "--ttl \(options.ttl) must be longer than --interval \(flags.string("interval") ?? "45"), "
                    + "or the key expires between renewals")
        }
        guard options.checkTimeout <= options.interval else {
            throw UsageError(
                "--check-timeout \(flags.string("check-timeout") ?? "") must not exceed --interval "
                    + "\(flags.string("interval") ?? "45")")
        }
        if !flags.strings("store").isEmpty { options.stores = flags.strings("store") }
        for url in options.stores.flatMap({ $0.split(separator: ",") }) {
            let trimmed = url.trimmingCharacters(in: " ")
            guard trimmed.hasPrefix("http://"),
                (try? HostPort.parse(String(trimmed.dropFirst(7).split(separator: "/").first ?? ""))) != nil
            else { throw UsageError("--store '\(url)' is not http://HOST:PORT") }
        }
        if let prefix = flags.string("prefix") {
            var trimmed = Substring(prefix)
            while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
            guard trimmed.hasPrefix("/"), !trimmed.contains("//"),
                !trimmed.contains(where: { $0.isWhitespace || ($0.asciiValue ?? 0x20) < 0x20 })
            else { throw UsageError("--prefix '\(prefix)' must start with '/' and hold no spaces or empty segments") }
            options.prefix = trimmed == "/" ? "" : String(trimmed)
        }
        if let level = flags.string("log-level") {
            guard let parsed = LogLevel(name: level) else {
                throw UsageError("--log-level '\(level)' is not trace, debug, info, warning or error")
            }
            options.logLevel = parsed
        }
        options.checkOnly = flags.isSet("check-config")
        return options
    }

    /// A flag whose value becomes one key segment: it must not add '/' levels or the '@' separator.
    private static func segment(_ flags: ParsedFlags, _ name: String, example: String) throws(UsageError) -> String {
        guard let value = flags.string(name) else {
            throw UsageError("--\(name) is required (e.g. --\(name) \(example))")
        }
        let allowed = value.allSatisfy {
            $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".")
        }
        guard !value.isEmpty, value.count <= 128, allowed, value.first != ".", value.first != "-" else {
            throw UsageError(
                "--\(name) '\(value)' is not a safe key segment: use letters, digits, '-', '_' and '.', "
                    + "starting with a letter or digit, at most 128")
        }
        return value
    }
}

extension UsageError {
    /// `--ttl: ...` rather than the shared parser's `flag --ttl: ...`: every announcer message starts with the flag.
    fileprivate var withoutFlagWord: UsageError {
        message.hasPrefix("flag --") ? UsageError(String(message.dropFirst(5))) : self
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = self
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
