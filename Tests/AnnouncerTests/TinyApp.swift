import Foundation
import Glibc
import Platform
import TestSupport

/// The app an announcer watches: a real listener on 127.0.0.1 answering every request with one status,
/// or accepting and never answering. Stopping it closes the port, as a crashed app would.
final class TinyApp: Sendable {
    enum Behaviour: Sendable {
        case status(Int)
        /// Accepts and reads, never answers: a hung app.
        case silent
        /// Listens but never accepts, with the smallest backlog: once the queue is full, connects hang.
        case neverAccept
    }

    let port: Int
    private let listener: Int32
    private let open: Locked<[Int32]>

    init(port: Int = FreePort.next(), behaviour: Behaviour = .status(200)) throws {
        self.port = port
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket failed") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        if case .neverAccept = behaviour {
            guard bound, listen(fd, 0) == 0 else {
                close(fd)
                throw TestSupportError("cannot listen on 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
            }
        } else {
            guard bound, listen(fd, 64) == 0 else {
                close(fd)
                throw TestSupportError("cannot listen on 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
            }
        }
        listener = fd
        let open = Locked<[Int32]>([])
        self.open = open
        if case .neverAccept = behaviour { return }
        let worker = Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return  // the listener was shut down
                }
                // Generous: on a loaded box a client may take seconds to send its request; answering before it
                // arrives would reset the connection and fail the check for a reason that is not the app's.
                var tv = timeval(tv_sec: 30, tv_usec: 0)
                setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                TinyApp.readHead(client)
                switch behaviour {
                case .status(let status):
                    let reply = "HTTP/1.1 \(status) Status\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    _ = reply.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                    close(client)
                case .silent, .neverAccept:
                    open.withLock { $0.append(client) }
                }
            }
        }
        worker.start()
    }

    /// Opens `count` connections that are never accepted (non-blocking, so this never waits): with
    /// `.neverAccept` they fill the accept queue, and the kernel drops the SYNs of later connects.
    func saturate(count: Int = 8) {
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { return }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            open.withLock { $0.append(fd) }
        }
    }

    /// Closes the port and every held connection.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in open.withLock({ fds in
            defer { fds.removeAll() }; return fds
        }) { close(fd) }
    }

    private static func readHead(_ fd: Int32) {
        var seen: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !seen.suffix(4).elementsEqual([13, 10, 13, 10]) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            seen += buffer[0..<n]
            if seen.count > 64 * 1024 { return }
        }
    }
}
