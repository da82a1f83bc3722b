/// A strict `HOST:PORT`: an IPv4 address, a bracketed IPv6 address or a DNS hostname, and a port from 1 to
/// 65535. The one parser for every address the project reads (flags, URLs, store values), so a value that
/// parses here cannot smuggle anything else (`;`, spaces, nginx parameters) into a config or a connect.
package struct HostPort: Sendable, Hashable, CustomStringConvertible {
    /// The host without brackets (`::1`, `10.0.0.5`, `app.internal`).
    package var host: String
    package var port: Int
    package var isIPv6: Bool { host.contains(":") }

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `10.0.0.5:8080`, `[::1]:8080`: the form written to the store and used to connect.
    package var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses `HOST:PORT`.
    /// - Parameters:
    ///   - defaultPort: used when the text has no `:PORT` (a URL's authority); `nil` makes the port required.
    ///   - allowsPortZero: accept port 0 (a listener asking the kernel for a free port).
    /// - Throws: `UsageError` with a one-line reason (without the flag name; the caller adds it).
    package static func parse(
        _ text: String, defaultPort: Int? = nil, allowsPortZero: Bool = false
    ) throws(UsageError) -> HostPort {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw UsageError("missing ']' after the IPv6 address") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if rest.isEmpty, let defaultPort {
                portText = Substring(String(defaultPort))
            } else {
                guard rest.hasPrefix(":") else { throw UsageError("missing ':PORT' after ']'") }
                portText = rest.dropFirst()
            }
            guard isIPv6(host) else { throw UsageError("'\(host)' is not an IPv6 address") }
        } else {
            if let colon = text.lastIndex(of: ":") {
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            } else if let defaultPort {
                host = Substring(text)
                portText = Substring(String(defaultPort))
            } else {
                throw UsageError("missing ':PORT'")
            }
            if host.contains(":") { throw UsageError("write an IPv6 address in brackets, like [::1]:8080") }
            guard !host.isEmpty else { throw UsageError("missing host before ':'") }
            if host.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
                guard isIPv4(host) else { throw UsageError("'\(host)' is not an IPv4 address") }
            } else {
                guard isHostname(host) else {
                    throw UsageError(
                        "'\(host)' is not a hostname (letters, digits, '-' and '.', at most 253 characters)")
                }
            }
        }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
            let port = Int(portText), ((allowsPortZero ? 0 : 1)...65535).contains(port)
        else {
            throw UsageError("port '\(portText)' is not a number from \(allowsPortZero ? 0 : 1) to 65535")
        }
        return HostPort(host: String(host), port: port)
    }

    package static func isIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy { $0.isASCII && $0.isNumber }
                    && (Int(part) ?? 256) <= 255
            }
    }

    package static func isIPv6(_ text: Substring) -> Bool {
        var groups = 0
        var body = text
        // An embedded IPv4 tail (::ffff:10.0.0.1) counts as two groups.
        if let lastColon = body.lastIndex(of: ":"), body[body.index(after: lastColon)...].contains(".") {
            guard isIPv4(body[body.index(after: lastColon)...]) else { return false }
            body = body[...lastColon]
            if !body.hasSuffix("::") { body = body.dropLast() }
            groups += 2
        }
        let doubleColons = body.ranges(of: "::").count
        guard doubleColons <= 1 else { return false }
        let pieces = body.split(separator: ":", omittingEmptySubsequences: true)
        if doubleColons == 0 {
            // Without '::' every separator must sit between two groups.
            guard !body.hasPrefix(":"), !body.hasSuffix(":") || body.isEmpty else { return false }
            if body.split(separator: ":", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
                return false
            }
        }
        for piece in pieces {
            guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit) else { return false }
        }
        groups += pieces.count
        return doubleColons == 1 ? groups <= 7 : groups == 8
    }

    package static func isHostname(_ text: Substring) -> Bool {
        let name = text.hasSuffix(".") ? text.dropLast() : text
        guard !name.isEmpty, name.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
