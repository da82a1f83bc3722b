import HTTP
import Platform

/// The embedded store served over HTTP: `MemoryStore` behind etcd's v3 JSON gateway.
package final class StoreServer: Sendable {
    package struct Configuration: Sendable {
        package var host = "127.0.0.1"
        package var port = 2379
        /// nil keeps everything in memory (tests only: nothing survives a restart).
        package var dataDir: String? = nil
        package var threads = max(1, min(Posix.processorCount, 4))
        package var historyRetention = 10_000
        package var clock: any MonotonicClock = SystemClock()
        /// What one request may cost: sizes, operations, requests in flight.
        package var limits = GatewayLimits()
        package init() {}
    }

    package let store: MemoryStore
    private let server: HTTPServer
    /// The port actually bound (differs from the configuration's when it asked for 0).
    package let port: Int

    private init(store: MemoryStore, server: HTTPServer, port: Int) {
        self.store = store
        self.server = server
        self.port = port
    }

    /// Opens (or recovers) the store, then binds and serves.
    /// - Throws: `KVError.storage` when the data dir cannot be opened or recovered (nothing is changed on disk),
    ///   `SystemError` when the address cannot be bound (the store is closed again).
    package static func start(_ configuration: Configuration, log: Log) throws -> StoreServer {
        var storeConfiguration = MemoryStore.Configuration(dataDir: configuration.dataDir, log: log)
        storeConfiguration.clock = configuration.clock
        storeConfiguration.historyRetention = configuration.historyRetention
        let store = try MemoryStore.open(storeConfiguration)
        let member = MemberInfo(
            clusterID: stableID("cluster:" + (configuration.dataDir ?? "memory")),
            memberID: stableID("member:\(configuration.host):\(configuration.port):" + (configuration.dataDir ?? "")))
        let limits = configuration.limits
        let leaseGrants = LeaseGrantLimiter(
            perSecond: limits.leaseGrantsPerSecond, burst: limits.leaseGrantBurst, clock: configuration.clock)
        let admitLease: @Sendable () throws -> Void = {
            if store.stats.leases >= limits.maxLeases { throw GatewayLimits.tooManyRequests }
            guard leaseGrants.admit() else { throw GatewayLimits.tooManyRequests }
        }
        let v2 = V2API(store: store, member: member, limits: limits, log: log, admitLease: admitLease)
        let handler = GatewayHandler(
            store: store, member: member, limits: limits, log: log, v2: v2, admitLease: admitLease,
            stats: { store.stats }, currentRevision: { store.currentRevision },
            metrics: { StoreMetrics.render(store.stats) })
        var http = HTTPServer.Configuration()
        http.host = configuration.host
        http.port = configuration.port
        http.threads = configuration.threads
        // Room for a 1.5 MiB value in base64 and JSON; the handler then applies etcd's own size limit.
        http.limits.maxBody = 4 * 1024 * 1024
        let server = HTTPServer(configuration: http, handler: handler, log: log)
        do {
            let port = try server.start()
            member.clientURLs = ["http://\(configuration.host):\(port)"]
            return StoreServer(store: store, server: server, port: port)
        } catch {
            store.close()
            throw error
        }
    }

    /// Stops serving (watch streams end), then flushes and closes the store.
    package func stop() {
        server.stop()
        store.close()
    }

    /// FNV-1a: the same data dir always reports the same cluster ID, as an etcd member does.
    private static func stableID(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
