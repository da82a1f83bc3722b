import Glibc

extension Socket {
    /// The address of the connected peer, nil when the socket is not connected.
    package static func peerAddress(_ fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                getpeername(fd, address, &length) == 0 ? SocketAddress(address) : nil
            }
        }
    }

    /// Whether an `accept` error means the process or system ran out of descriptors, so retrying
    /// right away would spin.
    package static func isDescriptorExhaustion(_ code: Int32) -> Bool {
        code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM
    }
}

extension Socket {
    /// A listening socket with `SO_REUSEPORT`, so each event loop can own one on the same address and the
    /// kernel spreads new connections evenly between them (a shared socket wakes whichever loop is idle).
    /// - Throws: `SystemError` ("bind", "listen") with the address; nothing stays open.
    package static func listenSharingPort(on address: SocketAddress, backlog: Int32) throws -> Int32 {
        let fd = try makeStream(family: address.family, address: address)
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        if address.family == AF_INET6 {
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        guard address.withSockAddr({ Glibc.bind(fd, $0, $1) }) == 0 else {
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
}

extension Posix {
    package static let EBADF = Glibc.EBADF
    package static let EMFILE = Glibc.EMFILE
    package static let ECONNREFUSED = Glibc.ECONNREFUSED
}
