import CSystem
import Glibc

/// The outcome of a non-blocking read or write.
package enum IOResult: Equatable {
    /// This many bytes moved (never 0).
    case bytes(Int)
    /// The peer closed its side (reads only).
    case endOfFile
    /// Nothing can move now; wait for readiness.
    case wouldBlock
    /// The call failed with this `errno`.
    case failed(Int32)
}

/// The outcome of starting a non-blocking connect.
package enum ConnectResult: Equatable {
    case connected
    case inProgress
    case failed(Int32)
}

/// Non-blocking TCP socket calls on raw descriptors; each retries `EINTR` and reports `EAGAIN` as a value.
package enum Socket {
    /// A non-blocking, close-on-exec TCP socket for `family`.
    /// - Throws: `SystemError` ("socket"); nothing is left open.
    package static func makeStream(family: Int32, address: SocketAddress? = nil) throws -> Int32 {
        let fd = socket(
            family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket", address: address?.description, code: Posix.errno) }
        return fd
    }

    /// A listening socket bound to `address` with `SO_REUSEADDR`, non-blocking. With `sharingPort`, also
    /// `SO_REUSEPORT`, so each event loop can own one on the same address and the kernel spreads new
    /// connections evenly between them (a shared socket wakes whichever loop is idle).
    /// - Throws: `SystemError` such as `bind 127.0.0.1:2379: Address already in use`; nothing is left open.
    package static func listen(
        on address: SocketAddress, backlog: Int32 = 1024, sharingPort: Bool = false
    ) throws -> Int32 {
        let fd = try makeStream(family: address.family, address: address)
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if sharingPort { _ = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) }
        if address.family == AF_INET6 {
            // `::` should mean IPv6 only; IPv4 clients get their own listener if the user asks.
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = address.withSockAddr { Glibc.bind(fd, $0, $1) }
        guard bound == 0 else {
            let error = SystemError("bind", address: address.description, code: Posix.errno)
            Posix.close(fd)
            throw error
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let error = SystemError("listen", address: address.description, code: Posix.errno)
            Posix.close(fd)
            throw error
        }
        return fd
    }

    /// The address a socket is bound to.
    package static func localAddress(_ fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                getsockname(fd, address, &length) == 0 ? SocketAddress(address) : nil
            }
        }
    }

    /// Accepts one connection as a non-blocking socket; `.wouldBlock` when none is waiting.
    package static func accept(_ listener: Int32) -> (fd: Int32, error: Int32) {
        while true {
            let fd = accept4(listener, nil, nil, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
            if fd >= 0 { return (fd, 0) }
            let code = Posix.errno
            if code == EINTR { continue }
            return (-1, code)
        }
    }

    /// Whether an `accept` error code only means "try again later".
    package static func isTransientAcceptError(_ code: Int32) -> Bool {
        code == EAGAIN || code == ECONNABORTED || code == EPROTO || code == EMFILE || code == ENFILE
            || code == ENOBUFS || code == ENOMEM
    }

    /// Disables Nagle's algorithm: responses are written whole, so waiting only adds latency.
    package static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Turns on TCP keepalive probes: a peer that vanished without closing (a crashed or partitioned host)
    /// is detected after `idle` + `count` × `interval` seconds of silence, so a long-lived stream fails
    /// instead of waiting forever.
    package static func setKeepAlive(_ fd: Int32, idle: Int32, interval: Int32, count: Int32) {
        var on: Int32 = 1
        var values = (idle, interval, count)
        let size = socklen_t(MemoryLayout<Int32>.size)
        _ = setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, size)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, &values.0, size)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, &values.1, size)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, &values.2, size)
    }

    /// The keepalive settings of a socket: whether it is on, and idle/interval/count.
    package static func keepAlive(of fd: Int32) -> (on: Bool, idle: Int32, interval: Int32, count: Int32) {
        func option(_ level: Int32, _ name: Int32) -> Int32 {
            var value: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, level, name, &value, &size)
            return value
        }
        let tcp = Int32(IPPROTO_TCP)
        return (
            option(SOL_SOCKET, SO_KEEPALIVE) != 0, option(tcp, TCP_KEEPIDLE), option(tcp, TCP_KEEPINTVL),
            option(tcp, TCP_KEEPCNT)
        )
    }

    /// Reads into `buffer`.
    package static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .endOfFile }
            let code = Posix.errno
            if code == EINTR { continue }
            return code == EAGAIN ? .wouldBlock : .failed(code)
        }
    }

    /// Writes from `buffer` without raising `SIGPIPE` on a closed peer.
    package static func write(_ fd: Int32, from buffer: UnsafeRawBufferPointer) -> IOResult {
        while true {
            let n = send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            if n > 0 { return .bytes(n) }
            if n == 0 { return .wouldBlock }
            let code = Posix.errno
            if code == EINTR { continue }
            return code == EAGAIN ? .wouldBlock : .failed(code)
        }
    }

    /// Writes `first` then `second` in one system call (`sendmsg` with two pieces), so a queued head and the
    /// body after it leave as one segment; no `SIGPIPE` on a closed peer.
    package static func write(
        _ fd: Int32, from first: UnsafeRawBufferPointer, then second: UnsafeRawBufferPointer
    ) -> IOResult {
        var pieces = (
            iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count)
        )
        return withUnsafeMutableBytes(of: &pieces) { raw in
            var message = msghdr()
            message.msg_iov = raw.baseAddress!.assumingMemoryBound(to: iovec.self)
            message.msg_iovlen = 2
            while true {
                let n = sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                if n > 0 { return .bytes(n) }
                if n == 0 { return .wouldBlock }
                let code = Posix.errno
                if code == EINTR { continue }
                return code == EAGAIN ? .wouldBlock : .failed(code)
            }
        }
    }

    /// Sends FIN but keeps reading, so a peer still sending does not get a reset that eats our answer.
    package static func shutdownWrite(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Starts connecting `fd` to `address`.
    package static func connect(_ fd: Int32, to address: SocketAddress) -> ConnectResult {
        while true {
            let result = address.withSockAddr { Glibc.connect(fd, $0, $1) }
            if result == 0 { return .connected }
            let code = Posix.errno
            if code == EINTR { continue }
            return code == EINPROGRESS ? .inProgress : .failed(code)
        }
    }

    /// The pending error of a socket (`SO_ERROR`), 0 when a connect succeeded.
    package static func pendingError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return Posix.errno }
        return code
    }

    /// Waits up to `timeoutMilliseconds` for `fd` to become writable; blocking, so never on an event loop.
    package static func waitWritable(_ fd: Int32, timeoutMilliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while true {
            let n = poll(&entry, 1, timeoutMilliseconds)
            if n < 0 && Posix.errno == EINTR { continue }
            return n > 0
        }
    }
}
