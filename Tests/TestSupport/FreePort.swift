import Foundation
import Glibc
import Platform

/// Free TCP ports on loopback for servers that tests start, and restart on the same port.
///
/// Ports come from below the kernel's ephemeral range (`ip_local_port_range`, 32768+ by default): a client
/// socket of a parallel test can take an ephemeral port the moment a server lets go of it, and a test that
/// restarts its server there would then fail with "Address already in use".
package enum FreePort {
    private static let candidates = 15_000..<32_000

    /// One port nobody listens on right now on `host`.
    package static func next(host: String = "127.0.0.1") -> Int {
        let lowestEphemeral = ephemeralRangeStart()
        for _ in 0..<500 {
            let port = Int.random(in: candidates)
            if port < lowestEphemeral, canBind(port, host: host) { return port }
        }
        return kernelChosen(host: host)
    }

    private static func ephemeralRangeStart() -> Int {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.flatMap { Int($0) }
            ?? 32_768
    }

    private static func canBind(_ port: Int, host: String) -> Bool {
        withSocket(host: host, port: port) { _ in true } ?? false
    }

    /// The fallback: whatever the kernel picks for port 0.
    private static func kernelChosen(host: String) -> Int {
        withSocket(host: host, port: 0) { fd in
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            return Int(UInt16(bigEndian: address.sin_port))
        } ?? 0
    }

    /// Binds a fresh socket to `host:port` (SO_REUSEADDR, like our servers), runs `body`, closes it.
    private static func withSocket<T>(host: String, port: Int, _ body: (Int32) -> T) -> T? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        return bound ? body(fd) : nil
    }
}
