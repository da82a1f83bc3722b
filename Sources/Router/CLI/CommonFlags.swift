import Platform

/// `--log-level`.
enum LogLevelFlag {
    static let spec = FlagSpec("log-level", value: "LEVEL", help: "trace, debug, info, warning or error (default info)")

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
        do {
            let address = try HostPort.parse(text, allowsPortZero: true)
            return ListenAddress(host: address.host == "localhost" ? "127.0.0.1" : address.host, port: address.port)
        } catch {
            throw UsageError("flag --\(flag): '\(text)' is not HOST:PORT (for example 127.0.0.1:2379)")
        }
    }
}
