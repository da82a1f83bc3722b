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

extension Posix {
    package static let EBADF = Glibc.EBADF
    package static let EMFILE = Glibc.EMFILE
    package static let ECONNREFUSED = Glibc.ECONNREFUSED
}
