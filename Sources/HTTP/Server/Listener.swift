import Platform
import Synchronization

/// What every connection of a server shares; immutable but for counters.
final class ServerContext: Sendable {
    let accepted = Atomic<Int>(0)
    let configuration: HTTPServer.Configuration
    let handler: any HTTPHandler
    let log: Log
    let headerTimeout: Int64
    let idleTimeout: Int64
    /// How long a closing connection keeps draining input after its last answer.
    let lingerTimeout: Int64 = 2_000_000_000

    init(configuration: HTTPServer.Configuration, handler: any HTTPHandler, log: Log) {
        self.configuration = configuration
        self.handler = handler
        self.log = log
        headerTimeout = configuration.headerTimeout.nanoseconds
        idleTimeout = configuration.idleTimeout.nanoseconds
    }
}

/// Accepts connections on one loop from a listening socket that every loop of the server watches
/// (`EPOLLEXCLUSIVE`, so one loop wakes per connection), and tracks them so `stop()` can close them.
// @unchecked: `connections` is used on `loop`'s thread only.
final class Listener: EventLoopHandler, @unchecked Sendable {
    let fd: Int32
    let loop: EventLoop
    private let context: ServerContext
    private var connections: [ObjectIdentifier: ServerConnection] = [:]
    private var stopped = false

    init(fd: Int32, loop: EventLoop, context: ServerContext) {
        self.fd = fd
        self.loop = loop
        self.context = context
    }

    func handle(_ events: IOEvents) {
        for _ in 0..<64 {
            let (client, code) = Socket.accept(fd)
            guard client >= 0 else {
                if !Socket.isTransientAcceptError(code) {
                    context.log.warning("accept failed", ["error": SystemError("accept", code: code).description])
                }
                return
            }
            Socket.setNoDelay(client)
            let connection = ServerConnection(fd: client, loop: loop, context: context, listener: self)
            do {
                try loop.register(client, events: .readable, handler: connection)
            } catch {
                context.log.warning("cannot watch connection", ["error": "\(error)"])
                Posix.close(client)
                continue
            }
            connections[ObjectIdentifier(connection)] = connection
            context.accepted.add(1, ordering: .relaxed)
            connection.start()
        }
    }

    /// Drops a closed connection.
    func forget(_ connection: ServerConnection) {
        connections[ObjectIdentifier(connection)] = nil
    }

    /// Stops accepting and closes every connection of this loop.
    func stop() {
        guard !stopped else { return }
        stopped = true
        loop.deregister(fd)
        for connection in Array(connections.values) { connection.close() }
        connections.removeAll()
    }
}
