import Glibc

/// A blocking loopback TCP connection for exact bytes, with a receive timeout so reads cannot hang a test.
final class Wire {
    let fd: Int32

    init(port: Int, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw WireError.socket }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(fd)
            throw WireError.connect
        }
    }

    deinit { close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Bytes received and not yet returned.
    private var pending: [UInt8] = []

    private func fill() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        pending.append(contentsOf: buffer[0..<n])
        return true
    }

    /// Reads until `marker` was seen (returning everything up to and including it), or the peer closed or
    /// the timeout passed (returning what arrived).
    func read(until marker: String) -> String {
        let wanted = Array(marker.utf8)
        while true {
            if let end = find(wanted, in: pending) {
                let out = Array(pending[..<end])
                pending.removeFirst(end)
                return String(decoding: out, as: UTF8.self)
            }
            if !fill() {
                defer { pending = [] }
                return String(decoding: pending, as: UTF8.self)
            }
        }
    }

    /// Reads until the peer closes (or the timeout passes).
    func readToEnd(limit: Int = 1 << 24) -> String {
        while pending.count < limit && fill() {}
        defer { pending = [] }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Reads one response whose body has a Content-Length (or none); "" when the peer closed first.
    func readResponse() -> String {
        let head = read(until: "\r\n\r\n")
        guard head.hasSuffix("\r\n\r\n") else { return head }
        var length = 0
        for line in head.lowercased().split(separator: "\r\n") where line.hasPrefix("content-length: ") {
            length = Int(line.dropFirst(16)) ?? 0
        }
        if head.hasPrefix("HTTP/1.1 304") || head.hasPrefix("HTTP/1.1 204") { length = 0 }
        while pending.count < length && fill() {}
        let body = Array(pending.prefix(length))
        pending.removeFirst(body.count)
        return head + String(decoding: body, as: UTF8.self)
    }

    /// Whether the peer closed: a read returns end of file (or times out: false).
    func isClosedByPeer() -> Bool {
        if !pending.isEmpty { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start + needle.count
        }
        return nil
    }
}

enum WireError: Error { case socket, connect }
