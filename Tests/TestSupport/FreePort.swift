import Foundation
import Glibc

/// Free TCP ports on loopback, found by binding port 0 and reading back what the kernel chose.
package enum FreePort {
    /// One port nobody listens on right now on `host`.
    package static func next(host: String = "127.0.0.1") -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0, "socket() failed in a test helper")
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, host, &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        precondition(bound, "could not bind a free port on \(host)")
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
