import Platform

extension MemoryStore {
    /// How a store is opened.
    package struct Configuration: Sendable {
        /// Where the log and snapshots live; nil keeps everything in memory (tests).
        package var dataDir: String?
        /// Drives lease expiry; tests pass a `ManualClock`.
        package var clock: any MonotonicClock
        package var log: Log
        /// Revisions of history kept for past reads and watch replay; older ones are compacted.
        package var historyRetention: Int
        /// Log records between snapshots.
        package var snapshotEvery: Int
        /// `fdatasync` each commit; off only for benchmarks that measure everything else.
        package var fsync: Bool
        /// Undelivered batches a watcher may hold before its stream ends with an error.
        package var watchBufferLimit: Int
        /// The largest transaction accepted, in key and value bytes (etcd's request limit).
        package var maxRequestBytes: Int
        /// How often the store expires leases by itself, so watchers see expiry without other traffic.
        package var expiryInterval: Duration
        /// Lists the data directory on open; tests pass one that fails, as an unreadable directory does.
        package var listDirectory: @Sendable (String) throws -> [String] = { try Directory.entries(of: $0) }

        /// Defaults: memory only, the system clock, 10,000 revisions of history and records per snapshot.
        package init(
            dataDir: String? = nil, clock: any MonotonicClock = SystemClock(),
            log: Log = Log(component: "store"), historyRetention: Int = 10_000, snapshotEvery: Int = 10_000,
            fsync: Bool = true, watchBufferLimit: Int = 1024, maxRequestBytes: Int = 1_572_864,
            expiryInterval: Duration = .milliseconds(100)
        ) {
            self.dataDir = dataDir
            self.clock = clock
            self.log = log
            self.historyRetention = historyRetention
            self.snapshotEvery = snapshotEvery
            self.fsync = fsync
            self.watchBufferLimit = watchBufferLimit
            self.maxRequestBytes = maxRequestBytes
            self.expiryInterval = expiryInterval
        }
    }
}

/// What a store reports for `/metrics`.
package struct StoreStats: Sendable, Hashable {
    /// Live keys.
    package var keys: Int
    /// Granted leases not yet revoked or expired.
    package var leases: Int
    /// Open watch streams.
    package var watchers: Int
    /// The newest durable revision.
    package var revision: Revision
    package var compactRevision: Revision
    /// Keys written, deleted, and transactions run since the store opened.
    package var puts: Int
    package var deletes: Int
    package var txns: Int
    /// `fdatasync` calls of the log, and the seconds they took in total.
    package var walFsyncs: Int
    package var walFsyncSeconds: Double
    /// Bytes appended to the log since the store opened.
    package var walBytes: Int64
    /// Log records written since the store opened.
    package var walRecords: Int
}
