/// Where an HTTP server listens: host and port, written `http://host:port`.
package struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// A name or IP literal; IPv6 without brackets.
    package var host: String
    package var port: Int

    package init(host: String, port: Int) {
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = port
    }

    /// Parses `http://127.0.0.1:2379`, `127.0.0.1:2379`, `[::1]:2379` or `localhost:2379`; a path after
    /// the authority is ignored and a missing port means 80.
    /// - Throws: `HTTPClientError.invalidURL` or `.unsupportedScheme` (https needs a TLS proxy in front).
    package init(url: String) throws {
        var rest = Substring(url)
        if let range = rest.firstRange(of: "://") {
            let scheme = rest[..<range.lowerBound].lowercased()
            guard scheme == "http" else { throw HTTPClientError.unsupportedScheme(url: url, scheme: scheme) }
            rest = rest[range.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw HTTPClientError.invalidURL(url) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw HTTPClientError.invalidURL(url) }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "@" }) else {
            throw HTTPClientError.invalidURL(url)
        }
        var port = 80
        if let portText {
            guard let parsed = Int(portText), (1...65535).contains(parsed) else {
                throw HTTPClientError.invalidURL(url)
            }
            port = parsed
        }
        self.init(host: String(host), port: port)
    }

    /// The `Host` header value.
    package var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    package var description: String { "http://\(authority)" }
}
