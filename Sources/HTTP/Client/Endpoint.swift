import Platform

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
        guard let address = try? HostPort.parse(String(rest), defaultPort: 80) else {
            throw HTTPClientError.invalidURL(url)
        }
        self.init(host: address.host, port: address.port)
    }

    /// The `Host` header value.
    package var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    package var description: String { "http://\(authority)" }
}
