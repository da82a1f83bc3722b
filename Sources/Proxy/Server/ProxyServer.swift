import HTTP
import KV
import Platform
import Synchronization

/// The built-in reverse proxy as a value: `start()` binds and serves, `shutdown(grace:)` drains and
/// stops. The routing table comes from `store` (an `EtcdClient` for `router proxy --store`, the
/// embedded `MemoryStore` in `router up`), read in-process.
package final class ProxyServer: Sendable {
    private enum State {
        case idle
        case running(Running)
        case stopped
    }

    private struct Running {
        var port: Int
        var group: EventLoopGroup
        var workers: [ProxyWorker]
        var listeners: [ProxyListener]
        var feedTask: Task<Void, Never>
        var admin: HTTPServer?
        var adminPort: Int?
    }

    package let configuration: ProxyConfiguration
    private let store: any KVStore
    private let log: Log
    private let shared: ProxyShared
    private let state = Mutex(State.idle)
    private let tableVersion = Atomic<Int>(0)
    private let feedState = Mutex<RoutingFeed?>(nil)

    package init(configuration: ProxyConfiguration, store: any KVStore, log: Log) {
        self.configuration = configuration
        self.store = store
        self.log = log
        shared = ProxyShared(configuration: configuration, log: log)
    }

    /// The port clients connect to, once started.
    package var port: Int? {
        state.withLock { if case .running(let running) = $0 { running.port } else { nil } }
    }

    /// The admin listener's port, once started with `configuration.admin`.
    package var adminPort: Int? {
        state.withLock { if case .running(let running) = $0 { running.adminPort } else { nil } }
    }

    /// Client connections open now, over all workers.
    package var openConnections: Int { shared.openConnections.load(ordering: .relaxed) }

    /// The version of the routing table in service (0 before the first read of the store).
    package var routingTableVersion: Int { tableVersion.load(ordering: .relaxed) }

    /// Whether the routing table follows the store (`.unavailable` after a store error, last table kept).
    package var feed: RoutingFeed.State { feedState.withLock { $0?.state ?? .starting } }

    /// Binds the listener (and the admin listener), starts the workers and the store feed.
    /// - Returns: the bound client port.
    /// - Throws: `SystemError` such as `bind 127.0.0.1:8080: Address already in use`; nothing keeps running.
    @discardableResult
    package func start() throws -> Int {
        try state.withLock { state in
            switch state {
            case .running(let running): return running.port
            case .stopped: throw SystemError("start", code: Posix.EINVAL)
            case .idle: break
            }
            var literal = configuration.host
            if literal == "localhost" { literal = "127.0.0.1" }
            guard let address = SocketAddress(ip: literal, port: configuration.port) else {
                throw SystemError(
                    "bind", address: "\(configuration.host):\(configuration.port)", code: Posix.EADDRNOTAVAIL)
            }
            let workerCount = max(1, configuration.workers)
            var fds: [Int32] = []
            // SO_REUSEPORT would let a second proxy (or a port-0 bind elsewhere) share the port silently:
            // first prove the port is free with an ordinary socket, which also picks the port for 0.
            let probe = try Socket.listen(on: address, backlog: 1)
            var port = Socket.localAddress(probe)?.port ?? configuration.port
            Posix.close(probe)
            do {
                for _ in 0..<workerCount {
                    let fd = try Socket.listen(on: address.with(port: port), backlog: 4096, sharingPort: true)
                    fds.append(fd)
                    // Port 0: the first socket picks the port, the others join it.
                    if port == 0 { port = Socket.localAddress(fd)?.port ?? 0 }
                }
            } catch {
                for fd in fds { Posix.close(fd) }
                throw error
            }
            let group: EventLoopGroup
            do {
                group = try EventLoopGroup(threads: workerCount, name: "proxy")
            } catch {
                for fd in fds { Posix.close(fd) }
                throw error
            }
            var admin: HTTPServer?
            var adminPort: Int?
            if let adminAddress = configuration.admin {
                var adminConfiguration = HTTPServer.Configuration()
                adminConfiguration.host = adminAddress.host
                adminConfiguration.port = adminAddress.port
                adminConfiguration.threads = 1
                let server = HTTPServer(
                    configuration: adminConfiguration, handler: AdminHandler(proxy: self),
                    log: log.with("listener", "admin"))
                do {
                    adminPort = try server.start()
                    admin = server
                } catch {
                    group.shutdown()
                    for fd in fds { Posix.close(fd) }
                    throw error
                }
            }
            let workers = group.loops.map { ProxyWorker(loop: $0, shared: shared) }
            let listeners = zip(fds, workers).map { ProxyListener(fd: $0, worker: $1) }
            for (worker, listener) in zip(workers, listeners) {
                worker.loop.execute { [log] in
                    worker.start()
                    do {
                        try listener.start()
                    } catch {
                        log.error("cannot watch the listening socket", ["error": "\(error)"])
                    }
                }
            }
            let feed = RoutingFeed(store: store, prefix: configuration.prefix, log: log) {
                [weak self] table, registered in
                for worker in workers {
                    worker.loop.execute {
                        worker.table = table
                        for address in registered { worker.health.forget(address) }
                    }
                }
                self?.tableVersion.store(table.version, ordering: .relaxed)
            }
            feedState.withLock { $0 = feed }
            let task = Task { await feed.run() }
            state = .running(
                Running(
                    port: port, group: group, workers: workers, listeners: listeners, feedTask: task,
                    admin: admin, adminPort: adminPort))
            log.info(
                "proxy listening",
                [
                    "address": address.with(port: port).description, "domain": shared.matcher.domain,
                    "workers": "\(workers.count)",
                ])
            return port
        }
    }

    /// Stops accepting, lets requests in flight finish for up to `grace`, then closes what is left and
    /// stops the workers and the feed; idempotent.
    package func shutdown(grace: Duration) async {
        let previous = state.withLock { state in
            defer { if case .running = state { state = .stopped } }
            return state
        }
        guard case .running(let running) = previous else { return }
        for (worker, listener) in zip(running.workers, running.listeners) {
            worker.loop.execute {
                listener.stop()
                worker.drain()
            }
        }
        let deadline = ContinuousClock.now + grace
        while shared.openConnections.load(ordering: .relaxed) > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let left = shared.openConnections.load(ordering: .relaxed)
        for worker in running.workers { worker.loop.execute { worker.closeAll() } }
        running.feedTask.cancel()
        running.admin?.stop()
        running.group.shutdown()
        log.info("proxy stopped", ["closed_in_flight": "\(left)"])
    }

    /// The `/metrics` text: every worker's counters added up.
    package func metricsText() async -> String {
        await withCheckedContinuation { continuation in
            collect { continuation.resume(returning: MetricsText.render($0)) }
        }
    }

    /// Adds up every worker's counters (each read on its own loop) and hands them to `body`.
    func collect(_ body: @escaping @Sendable (ProxySnapshot) -> Void) {
        let workers = state.withLock { state -> [ProxyWorker] in
            if case .running(let running) = state { running.workers } else { [] }
        }
        guard !workers.isEmpty else { return body(ProxySnapshot()) }
        let collector = Mutex((remaining: workers.count, sum: ProxySnapshot()))
        let version = routingTableVersion
        let feed = self.feed
        for worker in workers {
            worker.loop.execute {
                var part = ProxySnapshot()
                part.metrics = worker.metrics
                part.openConnections = worker.connectionCount
                part.upstreamConnections = worker.pool.openCount
                part.apps = worker.table.appCount
                part.instances = worker.table.instanceCount
                let done = collector.withLock { state -> ProxySnapshot? in
                    state.sum = state.sum.adding(part)
                    state.remaining -= 1
                    return state.remaining == 0 ? state.sum : nil
                }
                guard var total = done else { return }
                total.tableVersion = version
                total.feed = feed
                body(total)
            }
        }
    }
}

/// The proxy's counters and gauges at one moment, summed over workers.
struct ProxySnapshot: Sendable {
    var metrics = ProxyMetrics()
    var openConnections = 0
    var upstreamConnections = 0
    var apps = 0
    var instances = 0
    var tableVersion = 0
    var feed = RoutingFeed.State.starting

    func adding(_ other: ProxySnapshot) -> ProxySnapshot {
        var sum = self
        sum.metrics = metrics.adding(other.metrics)
        sum.openConnections += other.openConnections
        sum.upstreamConnections += other.upstreamConnections
        // Every worker holds the same table; keep one count.
        sum.apps = max(apps, other.apps)
        sum.instances = max(instances, other.instances)
        return sum
    }
}
