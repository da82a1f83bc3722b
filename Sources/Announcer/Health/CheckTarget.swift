import Platform

/// What `--check` asks to probe, parsed before anything starts.
package enum CheckTarget: Sendable, Hashable, CustomStringConvertible {
    /// Healthy on a 2xx or 3xx answer to `GET path`.
    case http(HostPort, path: String)
    /// Healthy when a TCP connection opens.
    case tcp(HostPort)
    /// Healthy when `/bin/sh -c command` exits 0.
    case exec(String)

    /// Parses `http://HOST:PORT/PATH`, `tcp://HOST:PORT` or `exec:COMMAND`.
    /// - Throws: `UsageError` with a one-line reason (the caller names the flag).
    package static func parse(_ text: String) throws(UsageError) -> CheckTarget {
        if text.hasPrefix("exec:") {
            let command = String(text.dropFirst(5))
            guard !command.allSatisfy(\.isWhitespace) else {
                throw UsageError("exec: needs a command, like exec:/usr/bin/true")
            }
            return .exec(command)
        }
        if text.hasPrefix("tcp://") {
            let rest = text.dropFirst(6)
            let authority = rest.hasSuffix("/") ? rest.dropLast() : rest
            guard !authority.contains("/") else { throw UsageError("a tcp:// check takes no path") }
            return .tcp(try HostPort.parse(String(authority)))
        }
        if text.hasPrefix("http://") {
            let rest = text.dropFirst(7)
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            let path = rest[slash...].isEmpty ? "/" : String(rest[slash...])
            guard !path.contains(where: { $0 == " " || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } ?? false })
            else { throw UsageError("the path holds spaces or control characters") }
            return .http(try HostPort.parse(String(rest[..<slash])), path: path)
        }
        if text.hasPrefix("https://") {
            throw UsageError("https checks are not supported; check the plain port or use exec:curl -fsS https://...")
        }
        throw UsageError("use http://HOST:PORT/PATH, tcp://HOST:PORT or exec:COMMAND")
    }

    package var description: String {
        switch self {
        case let .http(address, path): "http://\(address)\(path)"
        case let .tcp(address): "tcp://\(address)"
        case let .exec(command): "exec:\(command)"
        }
    }

    /// The probe for this target, bounded by `timeout`.
    package func makeCheck(timeout: Duration) -> any HealthCheck {
        switch self {
        case let .http(address, path): HTTPCheck(address: address, path: path, timeout: timeout)
        case let .tcp(address): TCPCheck(address: address, timeout: timeout)
        case let .exec(command): ExecCheck(command: command, timeout: timeout)
        }
    }
}
