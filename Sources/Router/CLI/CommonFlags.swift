import HTTP

/// `--log-level`.
enum LogLevelFlag {
    static func parse(_ flags: ParsedFlags) throws -> LogLevel {
        guard let text = flags.string("log-level") else { return .info }
        guard let level = LogLevel(name: text) else {
            throw UsageError("flag --log-level: '\(text)' is not one of trace, debug, info, warning, error")
        }
        return level
    }
}

/// `HOST:PORT` for a listening socket: IPv4, `[IPv6]` or `localhost`.
struct ListenAddress: Equatable {
    var host: String
    var port: Int

    static func parse(_ text: String, flag: String) throws -> ListenAddress {
        let bad = UsageError("flag --\(flag): '\(text)' is not HOST:PORT (for example 127.0.0.1:2379)")
        guard let colon = text.lastIndex(of: ":") else { throw bad }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" { host = "127.0.0.1" }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw bad
        }
        return ListenAddress(host: host, port: port)
    }
}
