import Platform
import Synchronization

/// An HTTP/1.1 client over event loops with a keep-alive pool: the one bridge from loops to async/await.
///
/// Retries: a request sent on a reused pooled connection that the server had already closed (nothing of
/// the answer arrived) is sent once more on a fresh connection. That is the only retry; any other failure
/// is thrown, and whether a request may be repeated is the caller's business.
package final class HTTPClient: Sendable {
    /// Timeouts, pool size and response limits.
    package struct Configuration: Sendable {
        package var connectTimeout: Duration = .seconds(2)
        /// From sending the request to the end of the response (to the head, for `stream`).
        package var requestTimeout: Duration = .seconds(5)
        package var maxIdleConnectionsPerEndpoint = 32
        package var limits = HTTPLimits(maxBody: 64 * 1024 * 1024)
        package init() {}
    }

    private let configuration: Configuration
    private let group: EventLoopGroup?
    private let pool: ConnectionPool
    private let resolver = HostResolver()
    private let exchangeIDs = Atomic<Int>(0)
    private let isShutdown = Atomic<Bool>(false)

    /// Starts `threads` event loops for the client's connections. If the loops cannot start (out of
    /// descriptors or threads), every call throws `HTTPClientError.shutdown`.
    package init(configuration: Configuration = Configuration(), threads: Int = 1) {
        self.configuration = configuration
        group = try? EventLoopGroup(threads: threads, name: "http-client")
        pool = ConnectionPool(maxIdlePerEndpoint: configuration.maxIdleConnectionsPerEndpoint)
        if group == nil { isShutdown.store(true, ordering: .relaxed) }
    }

    /// Sends one request on a pooled keep-alive connection (opened on demand, reused after a complete response).
    /// - Throws: `HTTPClientError` (connect, timeout, closed, parse), `CancellationError` when the task is
    ///   cancelled (the connection is closed).
    package func send(_ request: HTTPClientRequest, to endpoint: Endpoint, timeout: Duration? = nil) async throws
        -> HTTPResponse
    {
        let bytes = request.serialized(for: endpoint)
        let timeout = timeout ?? configuration.requestTimeout
        let isHEAD = request.method == "HEAD"
        var retried = false
        while true {
            try Task.checkCancellation()
            let pooled = pool.checkout(endpoint)
            let connection: ClientConnection
            if let pooled { connection = pooled } else { connection = try await connect(to: endpoint) }
            let id = exchangeIDs.add(1, ordering: .relaxed).newValue
            do {
                return try await withTaskCancellationHandler {
                    try await withCheckedThrowingContinuation { continuation in
                        let accepted = connection.onLoop {
                            $0.send(
                                bytes, isHEAD: isHEAD, timeout: timeout, reused: pooled != nil, id: id, continuation)
                        }
                        if !accepted { continuation.resume(throwing: HTTPClientError.shutdown) }
                    }
                } onCancel: {
                    connection.onLoop { $0.cancel(id) }
                }
            } catch is ClientConnection.Stale {
                guard !retried else { throw HTTPClientError.connectionClosed(endpoint) }
                retried = true
            }
        }
    }

    /// Opens a long-lived streamed response; returns once the response head arrives. Body chunks (de-chunked) arrive in `body` as they come; no idle timeout on the body; cancelling the consuming task or calling cancel() closes the connection.
    /// - Throws: `HTTPClientError` or `CancellationError` before the head arrives.
    package func stream(_ request: HTTPClientRequest, to endpoint: Endpoint) async throws -> HTTPResponseStream {
        let bytes = request.serialized(for: endpoint)
        let timeout = configuration.requestTimeout
        let connection = try await connect(to: endpoint)
        let id = exchangeIDs.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let accepted = connection.onLoop { $0.stream(bytes, timeout: timeout, id: id, continuation) }
                if !accepted { continuation.resume(throwing: HTTPClientError.shutdown) }
            }
        } onCancel: {
            connection.onLoop { $0.cancel(id) }
        }
    }

    /// A client dropped without `shutdown()` still stops its threads and closes its sockets.
    deinit { shutdown() }

    /// Closes every connection (requests in flight fail with `.shutdown`) and stops the loops; idempotent.
    package func shutdown() {
        guard !isShutdown.exchange(true, ordering: .acquiringAndReleasing), let group else { return }
        for connection in pool.closeAll() {
            connection.onLoop { $0.fail(HTTPClientError.shutdown) }
        }
        group.shutdown()
    }

    private func connect(to endpoint: Endpoint) async throws -> ClientConnection {
        guard let group, !isShutdown.load(ordering: .relaxed) else { throw HTTPClientError.shutdown }
        let addresses: [SocketAddress]
        do {
            addresses = try await resolver.resolve(endpoint.host, port: endpoint.port)
        } catch let error as ResolveError {
            throw HTTPClientError.resolveFailed(endpoint, message: error.message)
        }
        var lastError: any Error = HTTPClientError.connectionClosed(endpoint)
        for address in addresses {
            do {
                return try await connect(to: address, endpoint: endpoint, loop: group.next())
            } catch let error as HTTPClientError {
                guard case .connectFailed = error else { throw error }
                lastError = error
            }
        }
        throw lastError
    }

    private func connect(to address: SocketAddress, endpoint: Endpoint, loop: EventLoop) async throws
        -> ClientConnection
    {
        let fd: Int32
        do {
            fd = try Socket.makeStream(family: address.family, address: address)
        } catch let error as SystemError {
            throw HTTPClientError.connectFailed(endpoint, code: error.code)
        }
        Socket.setNoDelay(fd)
        // Watches stay open for days with nothing to say; without probes a silently dead store hangs them.
        Socket.setKeepAlive(fd, idle: 10, interval: 5, count: 3)
        let connection = ClientConnection(
            fd: fd, loop: loop, endpoint: endpoint, pool: pool, limits: configuration.limits)
        guard pool.track(connection) else {
            Posix.close(fd)
            throw HTTPClientError.shutdown
        }
        let timeout = configuration.connectTimeout
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let accepted = connection.onLoop { $0.connect(to: address, timeout: timeout, continuation) }
                if !accepted {
                    // The loop stopped before registering anything: closing here cannot race it.
                    connection.channel.close()
                    continuation.resume(throwing: HTTPClientError.shutdown)
                }
            }
        } onCancel: {
            connection.onLoop { $0.cancelConnect() }
        }
        return connection
    }
}
