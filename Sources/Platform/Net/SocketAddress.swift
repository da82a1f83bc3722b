import Glibc

/// An IPv4 or IPv6 address with a port, kept as plain bytes so it is `Sendable` and `Hashable`.
package struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// `AF_INET` or `AF_INET6`.
    package let family: Int32
    /// 4 or 16 address bytes in network order.
    package let bytes: [UInt8]
    /// The port in host order.
    package let port: Int
    /// The IPv6 scope (interface) id; 0 for IPv4.
    package let scopeID: UInt32

    /// Parses an IP literal (`127.0.0.1`, `::1`, without brackets); nil when `ip` is not one.
    package init?(ip: String, port: Int) {
        guard (0...65535).contains(port) else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, ip, &v4) == 1 {
            self.init(family: AF_INET, bytes: withUnsafeBytes(of: &v4) { Array($0) }, port: port, scopeID: 0)
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, ip, &v6) == 1 {
            self.init(family: AF_INET6, bytes: withUnsafeBytes(of: &v6) { Array($0) }, port: port, scopeID: 0)
            return
        }
        return nil
    }

    private init(family: Int32, bytes: [UInt8], port: Int, scopeID: UInt32) {
        self.family = family
        self.bytes = bytes
        self.port = port
        self.scopeID = scopeID
    }

    /// Reads a `sockaddr_in` or `sockaddr_in6`; nil for other families.
    init?(_ address: UnsafePointer<sockaddr>) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let sin = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in.self)
            var ip = sin.sin_addr
            self.init(
                family: AF_INET, bytes: withUnsafeBytes(of: &ip) { Array($0) },
                port: Int(UInt16(bigEndian: sin.sin_port)), scopeID: 0)
        case AF_INET6:
            let sin6 = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in6.self)
            var ip = sin6.sin6_addr
            self.init(
                family: AF_INET6, bytes: withUnsafeBytes(of: &ip) { Array($0) },
                port: Int(UInt16(bigEndian: sin6.sin6_port)), scopeID: sin6.sin6_scope_id)
        default:
            return nil
        }
    }

    /// The same address on another port.
    package func with(port: Int) -> SocketAddress {
        SocketAddress(family: family, bytes: bytes, port: port, scopeID: scopeID)
    }

    /// The address without the port: `127.0.0.1` or `::1`.
    package var ip: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        bytes.withUnsafeBytes { raw in
            _ = inet_ntop(family, raw.baseAddress, &text, socklen_t(text.count))
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `127.0.0.1:80` or `[::1]:80`, the form used in error messages.
    package var description: String {
        family == AF_INET6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// Calls `body` with this address as a `sockaddr` and its length.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        if family == AF_INET {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = UInt16(port).bigEndian
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: bytes) }
            return withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        var sin6 = sockaddr_in6()
        sin6.sin6_family = sa_family_t(AF_INET6)
        sin6.sin6_port = UInt16(port).bigEndian
        sin6.sin6_scope_id = scopeID
        withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: bytes) }
        return withUnsafePointer(to: &sin6) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
    }
}
