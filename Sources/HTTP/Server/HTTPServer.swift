import Platform
import Synchronization

/// An HTTP/1.1 server on event loops: keep-alive, pipelining, chunked bodies in and out, limits and timeouts.
package final class HTTPServer: Sendable {
    /// How the server listens and what it tolerates.
    package struct Configuration: Sendable {
        /// An IPv4 or IPv6 literal (`127.0.0.1`, `::1`, `[::1]`) or `localhost`.
        package var host = "127.0.0.1"
        /// 0 picks a free port; `start()` returns it.
        package var port = 0
        /// Event-loop threads.
        package var threads = Posix.processorCount
        package var limits = HTTPLimits()
        /// How long a connection may sit with no request in progress.
        package var idleTimeout: Duration = .seconds(60)
        /// How long a client may take to send a whole head.
        package var headerTimeout: Duration = .seconds(10)
        /// How long a client may take to send a whole body once its head arrived (408 after it), so a body
        /// trickled a byte at a time cannot hold a connection forever.
        package var bodyTimeout: Duration = .seconds(30)
        /// Connections open at once, over all loops; more are closed on accept.
        package var maxConnections = 10_000
        /// Bytes a streamed response may queue for a peer that does not read before it is disconnected.
        package var streamBufferLimit = 16 * 1024 * 1024
        /// Unanswered requests per connection before the server stops parsing (and reading) from it.
        package var maxPipelinedRequests = 64
        /// The `listen(2)` backlog.
        package var backlog: Int32 = 1024

        package init() {}
    }

    private enum State {
        case idle
        case running(port: Int, fd: Int32, group: EventLoopGroup, listeners: [Listener])
        case stopped
    }

    private let context: ServerContext
    private let state = Mutex(State.idle)

    package init(configuration: Configuration, handler: any HTTPHandler, log: Log) {
        context = ServerContext(configuration: configuration, handler: handler, log: log)
    }

    /// Connections accepted since `start()`, for metrics.
    package var connectionsAccepted: Int { context.accepted.load(ordering: .relaxed) }

    /// Binds, listens and starts the loops.
    /// - Returns: the bound port.
    /// - Throws: `SystemError` such as `bind 127.0.0.1:2379: Address already in use`; nothing keeps running.
    package func start() throws -> Int {
        try state.withLock { state in
            switch state {
            case .running(let port, _, _, _): return port
            case .stopped: throw SystemError("start", code: Posix.EINVAL)
            case .idle: break
            }
            let configuration = context.configuration
            let address = try Self.address(host: configuration.host, port: configuration.port)
            let fd = try Socket.listen(on: address, backlog: configuration.backlog)
            let group: EventLoopGroup
            do {
                group = try EventLoopGroup(threads: configuration.threads, name: "http")
            } catch {
                Posix.close(fd)
                throw error
            }
            let listeners = group.loops.map { Listener(fd: fd, loop: $0, context: context) }
            for listener in listeners {
                listener.loop.execute {
                    do {
                        try listener.loop.register(fd, events: .readable, handler: listener, exclusive: true)
                    } catch {
                        self.context.log.error("cannot watch listener", ["error": "\(error)"])
                    }
                }
            }
            let port = Socket.localAddress(fd)?.port ?? configuration.port
            state = .running(port: port, fd: fd, group: group, listeners: listeners)
            context.log.info("listening", ["address": address.with(port: port).description])
            return port
        }
    }

    /// Closes the listener and every connection (open streams see `onClose`), then joins the loop
    /// threads; idempotent. From a handler (on a loop thread) it does not wait for the threads.
    package func stop() {
        let previous = state.withLock { state in
            defer { state = .stopped }
            return state
        }
        guard case .running(_, let fd, let group, let listeners) = previous else { return }
        for listener in listeners { listener.loop.execute { listener.stop() } }
        group.shutdown()
        Posix.close(fd)
        context.log.info("stopped")
    }

    private static func address(host: String, port: Int) throws -> SocketAddress {
        var literal = host
        if literal.hasPrefix("[") && literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        if literal == "localhost" { literal = "127.0.0.1" }
        guard let address = SocketAddress(ip: literal, port: port) else {
            throw SystemError("bind", address: "\(host):\(port)", code: Posix.EADDRNOTAVAIL)
        }
        return address
    }
}
