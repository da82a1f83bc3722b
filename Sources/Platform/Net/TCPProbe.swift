import Dispatch

/// Checks that something accepts TCP connections at an address: connects, then closes.
package enum TCPProbe {
    private static let queue = DispatchQueue(label: "switchboard.tcp-probe", attributes: .concurrent)

    /// Connects to `host:port` within `timeout` and closes at once; tries each resolved address in turn.
    /// - Throws: `SystemError` like `connect 127.0.0.1:9: Connection refused` (or `Connection timed out`),
    ///   or `ResolveError`.
    package static func connect(host: String, port: Int, timeout: Duration) async throws {
        let resolver = HostResolver(ttl: .zero)
        let addresses = try await resolver.resolve(host, port: port)
        let milliseconds = Int32(clamping: max(1, timeout.nanoseconds / 1_000_000))
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            // poll(2) blocks, so the wait runs on its own queue, never on the cooperative pool.
            queue.async {
                continuation.resume(with: Result { try probe(addresses, timeoutMilliseconds: milliseconds) })
            }
        }
    }

    private static func probe(_ addresses: [SocketAddress], timeoutMilliseconds: Int32) throws {
        var lastError: (any Error)?
        for address in addresses {
            do {
                let fd = try Socket.makeStream(family: address.family, address: address)
                defer { Posix.close(fd) }
                switch Socket.connect(fd, to: address) {
                case .connected:
                    return
                case .failed(let code):
                    throw SystemError("connect", address: address.description, code: code)
                case .inProgress:
                    guard Socket.waitWritable(fd, timeoutMilliseconds: timeoutMilliseconds) else {
                        throw SystemError("connect", address: address.description, code: Posix.ETIMEDOUT)
                    }
                    let code = Socket.pendingError(fd)
                    guard code == 0 else { throw SystemError("connect", address: address.description, code: code) }
                    return
                }
            } catch {
                lastError = error
            }
        }
        if let lastError { throw lastError }
    }
}
