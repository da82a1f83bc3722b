import Platform

/// Keep-alive connections to upstream servers for one event loop; used on that loop only, so a
/// checkout costs a dictionary lookup and no lock.
// @unchecked: used on `loop`'s thread only.
package final class UpstreamPool: @unchecked Sendable {
    /// Pool sizes and limits.
    package struct Configuration: Sendable {
        /// Idle connections kept per upstream address; more are closed when they come back.
        package var maxIdlePerAddress = 512
        /// An idle connection unused this long is closed by `closeIdle`.
        package var idleTimeout: Duration = .seconds(60)
        /// Response limits (the head; bodies are streamed, so `maxBody` bounds only declared lengths).
        package var limits = HTTPLimits(maxBody: Int.max)
        /// Outbound bytes queued per connection before a producer is told to pause.
        package var highWater = 256 * 1024
        package init() {}
    }

    package let loop: EventLoop
    /// Makes the channel of a new connection to an address, or says why not (an `errno`); nil: a non-blocking
    /// TCP socket. Tests put in-memory channels (`SocketChannel(peer:loop:)`) here.
    package var connector: ((SocketAddress) -> (channel: SocketChannel?, code: Int32))?
    private let configuration: Configuration
    private var idle: [SocketAddress: [UpstreamConnection]] = [:]
    private var live: [ObjectIdentifier: UpstreamConnection] = [:]
    private var closed = false

    package init(loop: EventLoop, configuration: Configuration = Configuration()) {
        self.loop = loop
        self.configuration = configuration
    }

    /// Open connections (idle and busy).
    package var openCount: Int { live.count }
    /// Idle connections kept for reuse.
    package var idleCount: Int { idle.values.reduce(0) { $0 + $1.count } }

    /// The most recently used idle connection to `address`, or a new one being connected.
    /// - Returns: nil when a socket cannot be created (`code` says why).
    package func connection(to address: SocketAddress) -> (connection: UpstreamConnection?, code: Int32) {
        // Popped in place: copying the list out first would copy every idle connection on each request.
        if let last = idle[address]?.popLast() { return (last, 0) }
        guard !closed else { return (nil, Posix.EBADF) }
        let (made, code) = connector?(address) ?? socketChannel(family: address.family)
        guard let channel = made else { return (nil, code) }
        channel.highWater = configuration.highWater
        channel.lowWater = configuration.highWater / 4
        let connection = UpstreamConnection(
            channel: channel, address: address, pool: self, limits: configuration.limits)
        channel.delegate = connection
        live[ObjectIdentifier(connection)] = connection
        return (connection, 0)
    }

    private func socketChannel(family: Int32) -> (channel: SocketChannel?, code: Int32) {
        let fd: Int32
        do {
            fd = try Socket.makeStream(family: family)
        } catch let error as SystemError {
            return (nil, error.code)
        } catch {
            return (nil, Posix.EINVAL)
        }
        Socket.setNoDelay(fd)
        return (SocketChannel(fd: fd, loop: loop), 0)
    }

    /// Starts connecting a connection from `connection(to:)` that is not connected yet.
    package func connect(_ connection: UpstreamConnection) {
        connection.channel.connect(to: connection.address)
    }

    /// Takes back a connection after a complete exchange.
    func checkin(_ connection: UpstreamConnection) {
        guard !closed else { return connection.close() }
        connection.idleSince = loop.now
        // One hash lookup: the list is changed in place.
        let kept = modifyIdle(of: connection.address) { list in
            guard list.count < configuration.maxIdlePerAddress else { return false }
            list.append(connection)
            return true
        }
        if !kept { connection.close() }
    }

    private func modifyIdle(of address: SocketAddress, _ body: (inout [UpstreamConnection]) -> Bool) -> Bool {
        body(&idle[address, default: []])
    }

    /// Drops a closed connection.
    func forget(_ connection: UpstreamConnection) {
        live[ObjectIdentifier(connection)] = nil
        if let index = idle[connection.address]?.firstIndex(where: { $0 === connection }) {
            idle[connection.address]?.remove(at: index)
        }
    }

    /// Closes idle connections unused for longer than the idle timeout, and those to addresses for which
    /// `keep` says no (an instance removed from routing).
    package func closeIdle(keep: (SocketAddress) -> Bool = { _ in true }) {
        let limit = loop.now - configuration.idleTimeout.nanoseconds
        var doomed: [UpstreamConnection] = []
        for (address, list) in idle {
            let keepAddress = keep(address)
            for connection in list where !keepAddress || connection.idleSince < limit { doomed.append(connection) }
        }
        for connection in doomed { connection.close() }
    }

    /// Closes every connection, busy ones too; later checkouts create none.
    package func closeAll() {
        closed = true
        for connection in Array(live.values) { connection.abort() }
        idle.removeAll()
    }
}
