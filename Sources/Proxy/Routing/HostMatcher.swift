/// Finds the app a `Host` header names: `<app>.<domain>`, compared case-insensitively, port ignored.
package struct HostMatcher: Sendable {
    /// The domain in lower case, without leading or trailing dots.
    package let domain: String
    private let suffix: [UInt8]

    package init(domain: String) {
        var trimmed = Substring(domain.lowercased())
        while trimmed.hasPrefix(".") { trimmed = trimmed.dropFirst() }
        while trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        self.domain = String(trimmed)
        suffix = Array(("." + trimmed).utf8)
    }

    /// The app name in lower case, or nil when `host` is not one label under the domain.
    ///
    /// `Blog.Example.COM:8080` and `blog.example.com.` (a fully qualified name) both give `blog`.
    package func app(fromHost host: String) -> String? {
        var bytes = Array(host.utf8)
        if bytes.first == UInt8(ascii: "[") { return nil }  // an IPv6 literal names no app
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
            guard bytes[(colon + 1)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            bytes.removeSubrange(colon...)
        }
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        guard bytes.count > suffix.count else { return nil }
        let labelEnd = bytes.count - suffix.count
        for (offset, expected) in suffix.enumerated() where lower(bytes[labelEnd + offset]) != expected {
            return nil
        }
        var label: [UInt8] = []
        label.reserveCapacity(labelEnd)
        for byte in bytes[..<labelEnd] {
            let isAllowed =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            guard isAllowed else { return nil }
            label.append(lower(byte))
        }
        return String(decoding: label, as: UTF8.self)
    }

    private func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte }
}
