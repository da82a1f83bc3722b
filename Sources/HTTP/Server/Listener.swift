import Platform
import Synchronization

/// What every connection of a server shares; immutable but for counters.
final class ServerContext: Sendable {
    let accepted = Atomic<Int>(0)
    /// Connections open now, over all loops, for the connection cap.
    let open = Atomic<Int>(0)
    let configuration: HTTPServer.Configuration
    let handler: any HTTPHandler
    let log: Log
    let headerTimeout: Int64
    let idleTimeout: Int64
    let bodyTimeout: Int64
    /// How long a closing connection keeps draining input after its last answer.
    let lingerTimeout: Int64 = 2_000_000_000

    init(configuration: HTTPServer.Configuration, handler: any HTTPHandler, log: Log) {
        self.configuration = configuration
        self.handler = handler
        self.log = log
        headerTimeout = configuration.headerTimeout.nanoseconds
        idleTimeout = configuration.idleTimeout.nanoseconds
        bodyTimeout = configuration.bodyTimeout.nanoseconds
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
    private var pausedForDescriptors = false
    private var loggedExhaustion = false
    private var loggedCap = false

    init(fd: Int32, loop: EventLoop, context: ServerContext) {
        self.fd = fd
        self.loop = loop
        self.context = context
    }

    func handle(_ events: IOEvents) {
        for _ in 0..<64 {
            guard !stopped, !pausedForDescriptors else { return }
            let (client, code) = Socket.accept(fd)
            guard client >= 0 else {
                if Socket.isDescriptorExhaustion(code) {
                    backOff(code)
                } else if !Socket.isTransientAcceptError(code) {
                    context.log.warning("accept failed", ["error": SystemError("accept", code: code).description])
                }
                return
            }
            loggedExhaustion = false
            let limit = context.configuration.maxConnections
            guard context.open.add(1, ordering: .relaxed).newValue <= limit else {
                context.open.subtract(1, ordering: .relaxed)
                Posix.close(client)
                if !loggedCap {
                    loggedCap = true
                    context.log.warning(
                        "connection cap reached; closing new connections", ["max_connections": "\(limit)"])
                }
                continue
            }
            Socket.setNoDelay(client)
            let connection = ServerConnection(fd: client, loop: loop, context: context, listener: self)
            do {
                // Registers the connection's channel; on failure the channel has closed the descriptor.
                try connection.start()
            } catch {
                context.log.warning("cannot watch connection", ["error": "\(error)"])
                context.open.subtract(1, ordering: .relaxed)
                continue
            }
            connections[ObjectIdentifier(connection)] = connection
            context.accepted.add(1, ordering: .relaxed)
        }
    }

    /// Out of descriptors: stop accepting for 100 ms (connections wait in the backlog) instead of waking
    /// on the same readable listener in a busy loop; one log line until an accept succeeds again.
    private func backOff(_ code: Int32) {
        pausedForDescriptors = true
        // An EPOLLEXCLUSIVE registration cannot be modified, only removed and added again.
        loop.deregister(fd)
        if !loggedExhaustion {
            loggedExhaustion = true
            context.log.warning(
                "out of file descriptors; accepting again every 100ms until some close",
                [
                    "error": SystemError("accept", code: code).description,
                    "open": "\(context.open.load(ordering: .relaxed))",
                ])
        }
        loop.schedule(after: .milliseconds(100)) { [self] in
            pausedForDescriptors = false
            guard !stopped else { return }
            do {
                try loop.register(fd, events: .readable, handler: self, exclusive: true)
            } catch {
                context.log.error("cannot watch the listening socket again", ["error": "\(error)"])
            }
        }
    }

    /// Drops a closed connection.
    func forget(_ connection: ServerConnection) {
        guard connections.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return }
        if context.open.subtract(1, ordering: .relaxed).newValue < context.configuration.maxConnections * 9 / 10 {
            loggedCap = false
        }
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
