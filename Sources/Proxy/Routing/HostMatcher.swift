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
        var host = host
        return host.withUTF8 { app(fromHost: $0) }
    }

    /// `app(fromHost:)` over the header's bytes, so routing a request makes no copy of its Host.
    package func app(fromHost bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if bytes.first == UInt8(ascii: "[") { return nil }  // an IPv6 literal names no app
        var end = bytes.count
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
            guard bytes[(colon + 1)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            end = colon
        }
        if end > 0 && bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
        guard end > suffix.count else { return nil }
        let labelEnd = end - suffix.count
        for offset in 0..<suffix.count where lower(bytes[labelEnd + offset]) != suffix[offset] {
            return nil
        }
        for byte in bytes[..<labelEnd] {
            let isAllowed =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            guard isAllowed else { return nil }
        }
        return String(unsafeUninitializedCapacity: labelEnd) { label in
            for offset in 0..<labelEnd { label[offset] = lower(bytes[offset]) }
            return labelEnd
        }
    }

    private func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte }
}
