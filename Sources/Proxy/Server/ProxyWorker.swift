import HTTP
import Platform
import Synchronization

/// What the workers of one proxy share: configuration, log and the few counters read across threads.
package final class ProxyShared: Sendable {
    let configuration: ProxyConfiguration
    let log: Log
    let matcher: HostMatcher
    let openConnections = Atomic<Int>(0)

    package init(configuration: ProxyConfiguration, log: Log) {
        self.configuration = configuration
        self.log = log
        matcher = HostMatcher(domain: configuration.domain)
    }
}

/// The connection deadlines in loop-clock nanoseconds.
struct ProxyTimeouts {
    let header: Int64
    let idle: Int64
    let body: Int64
    let upstream: Int64
    let connect: Int64
    let tunnel: Int64
    let linger: Int64 = 2_000_000_000

    init(_ configuration: ProxyConfiguration) {
        header = configuration.headerTimeout.nanoseconds
        idle = configuration.idleTimeout.nanoseconds
        body = configuration.bodyTimeout.nanoseconds
        upstream = configuration.upstreamTimeout.nanoseconds
        connect = configuration.connectTimeout.nanoseconds
        tunnel = configuration.tunnelTimeout.nanoseconds
    }
}

/// The proxy's state on one event loop: its copy of the routing table, its upstream pool, passive
/// health, counters and client connections. Used on that loop only, so the request path takes no lock.
// @unchecked: every mutable member is used on `loop`'s thread only; other threads go through `loop.execute`.
package final class ProxyWorker: @unchecked Sendable {
    let loop: EventLoop
    let shared: ProxyShared
    /// Copies of what every request reads from `shared`: with two or more workers, touching the one shared
    /// object per request (its reference count) moved a cache line between cores each time.
    let matcher: HostMatcher
    let timeouts: ProxyTimeouts
    /// Upstream keep-alive connections; tests set its `connector`.
    package let pool: UpstreamPool
    /// The routing table in service on this loop.
    package var table = RoutingTable()
    var health: InstanceHealth
    /// This worker's counters.
    package internal(set) var metrics = ProxyMetrics()
    var draining = false
    private var connections: [ObjectIdentifier: ProxyConnection] = [:]
    private var sweepTimer: TimerHandle?

    package init(loop: EventLoop, shared: ProxyShared) {
        self.loop = loop
        self.shared = shared
        // A matcher of its own: the copy in `shared` would share its strings' storage, and so their counts.
        matcher = HostMatcher(domain: shared.configuration.domain)
        timeouts = ProxyTimeouts(shared.configuration)
        var pool = UpstreamPool.Configuration()
        pool.maxIdlePerAddress = shared.configuration.maxIdlePerInstance
        pool.highWater = shared.configuration.highWater
        pool.limits = shared.configuration.limits
        self.pool = UpstreamPool(loop: loop, configuration: pool)
        health = InstanceHealth(
            threshold: shared.configuration.ejectAfterFailures, cooldown: shared.configuration.ejectionCooldown)
    }

    /// Client connections open on this loop.
    package var connectionCount: Int { connections.count }

    /// Starts the timeout sweep; loop thread.
    func start() {
        scheduleSweep()
    }

    private func scheduleSweep() {
        sweepTimer = loop.schedule(after: .milliseconds(250)) { [self] in
            sweep()
            scheduleSweep()
        }
    }

    /// Checks every connection's deadline: one pass over this worker's connections four times a second
    /// costs less than a timer per request. Tests call it after moving a manual loop's clock.
    package func sweep() {
        let now = loop.now
        for connection in Array(connections.values) { connection.checkDeadline(now: now) }
        pool.closeIdle()
        health.prune(now: now)
    }

    func adopt(_ fd: Int32) {
        adopt(ProxyConnection(fd: fd, worker: self))
    }

    /// Serves a client whose channel is already made (an in-memory one in tests), counted as an open
    /// connection as the listener counts accepted ones.
    package func adopt(_ channel: SocketChannel, clientIP: String) {
        shared.openConnections.add(1, ordering: .relaxed)
        adopt(ProxyConnection(channel: channel, clientIP: clientIP, worker: self))
    }

    private func adopt(_ connection: ProxyConnection) {
        do {
            try connection.channel.register()
        } catch {
            shared.log.warning("cannot watch connection", ["error": "\(error)"])
            connection.channel.close()
            shared.openConnections.subtract(1, ordering: .relaxed)
            return
        }
        connections[ObjectIdentifier(connection)] = connection
    }

    func forget(_ connection: ProxyConnection) {
        if connections.removeValue(forKey: ObjectIdentifier(connection)) != nil {
            shared.openConnections.subtract(1, ordering: .relaxed)
        }
    }

    /// The next instance of `route` in round-robin order that is not ejected and not in `tried`; when
    /// every untried instance is ejected, the next untried one anyway (better a try than a sure 503).
    func pick(_ route: AppRoute, excluding tried: [Int]) -> Int? {
        let count = route.instances.count
        guard count > 0, tried.count < count else { return nil }
        // A retry continues after the instance that failed, so it does not move the shared cursor again.
        let start = tried.last.map { $0 + 1 } ?? route.nextIndex()
        var fallback: Int?
        for step in 0..<count {
            let index = (start + step) % count
            if tried.contains(index) { continue }
            if health.isEjected(route.instances[index].socketAddress, now: loop.now) {
                if fallback == nil { fallback = index }
                continue
            }
            return index
        }
        return fallback
    }

    func recordFailure(_ instance: Instance) {
        metrics.upstreamErrors += 1
        if health.recordFailure(instance.socketAddress, now: loop.now) {
            metrics.ejections += 1
            shared.log.warning(
                "instance ejected after repeated failures",
                [
                    "instance": instance.key, "address": instance.address.description,
                    "cooldown": "\(shared.configuration.ejectionCooldown)",
                ])
        }
    }

    /// Graceful shutdown: idle connections close now, busy ones after their current response.
    func drain() {
        draining = true
        for connection in Array(connections.values) { connection.drain() }
    }

    /// Closes everything at once (the grace period ended).
    package func closeAll() {
        sweepTimer?.cancel()
        for connection in Array(connections.values) { connection.close() }
        pool.closeAll()
    }
}
