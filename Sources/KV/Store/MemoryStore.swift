import Dispatch
import Platform
import Synchronization

/// The embedded store: etcd's v3 model (revisions, leases, watches, compaction) in memory,
/// made durable by a write-ahead log with group commit.
///
/// One lock guards all state and is never held across I/O or `await`: a write applies under the
/// lock, queues its log record in revision order and waits; the commit thread writes and
/// `fdatasync`s every queued record at once, then acknowledges them and feeds watchers.
/// Reads see only durable revisions.
package final class MemoryStore: KVStore {
    /// State behind the lock.
    struct Core {
        var state: State
        var watchers = WatcherSet()
        var closed = false
        /// Set when the log could not be written; writes are refused from then on.
        var failure: KVError?
        /// Whether records go to a log (false: memory only, durable at once).
        var logging: Bool
        var nextLSN: Int64 = 1
        /// Framed records waiting for the commit thread.
        var pending: [UInt8] = []
        var pendingLSN: Int64 = 0
        var durableLSN: Int64 = 0
        /// The newest revision readers and watchers may see.
        var durableRevision: Revision = 1
        var waiters: [(lsn: Int64, continuation: CheckedContinuation<Void, any Error>)] = []
        var wakeRequested = false
        var recordsSinceSnapshot = 0
        var fsyncs = 0
        var fsyncSeconds = 0.0
        var walBytes: Int64 = 0
        var walRecords = 0
    }

    let configuration: Configuration
    let log: Log
    /// Names the store in errors: its data directory, or "memory".
    let name: String
    let core: Mutex<Core>
    let nextWatcherID = Atomic<Int>(1)
    let wakeup = DispatchSemaphore(value: 0)
    /// The group-commit thread, when the store has a log.
    let commitThread = Mutex<PosixThread?>(nil)
    /// Expires leases on a timer; cancelled by `close()`.
    let ticker = Mutex<Task<Void, Never>?>(nil)

    private init(configuration: Configuration, core: Core) {
        self.configuration = configuration
        self.log = configuration.log
        self.name = configuration.dataDir ?? "memory"
        self.core = Mutex(core)
    }

    /// Opens a store: recovers `dataDir` when given, starts the commit thread and the expiry ticker.
    /// - Throws: `KVError.storage` with a one-line reason when the directory is locked, damaged or unreadable.
    package static func open(_ configuration: Configuration) throws -> MemoryStore {
        var core = Core(state: State(retention: max(1, configuration.historyRetention)), logging: false)
        var wal: WriteAheadLog?
        if let dir = configuration.dataDir {
            let (opened, recovered) = try WriteAheadLog.open(
                directory: dir, log: configuration.log, list: configuration.listDirectory)
            wal = opened
            core = recover(recovered, retention: configuration.historyRetention, now: configuration.clock.now)
            configuration.log.info(
                "store opened",
                ["data_dir": dir, "revision": "\(core.state.revision)", "keys": "\(core.state.keys.count)"])
        }
        let store = MemoryStore(configuration: configuration, core: core)
        if let wal { try withStorageErrors { try store.startCommitThread(wal) } }
        store.startTicker()
        return store
    }

    deinit { ticker.withLock { $0?.cancel() } }

    /// Stops the ticker, makes every queued write durable, closes the log and ends watch streams.
    /// Idempotent; later operations fail with `KVError.unavailable`.
    package func close() {
        let (wasOpen, logging, streams) = core.withLock { core in
            defer { core.closed = true }
            return (!core.closed, core.logging, core.watchers.removeAll())
        }
        guard wasOpen else { return }
        ticker.withLock { $0?.cancel() }
        if logging {
            wakeup.signal()
            commitThread.withLock { $0.take() }?.join()
        }
        let closed = closedError
        for stream in streams { stream.finish(throwing: closed) }
    }

    var closedError: KVError { .unavailable(endpoints: [name], reason: "the store is closed") }

    /// The newest durable revision.
    package var currentRevision: Revision { core.withLock { $0.durableRevision } }

    /// Counters for `/metrics`.
    package var stats: StoreStats {
        core.withLock { core in
            StoreStats(
                keys: core.state.keys.count, leases: core.state.leases.count, watchers: core.watchers.count,
                revision: core.durableRevision, compactRevision: core.state.compactRevision, puts: core.state.puts,
                deletes: core.state.deletes, txns: core.state.txns, walFsyncs: core.fsyncs,
                walFsyncSeconds: core.fsyncSeconds, walBytes: core.walBytes, walRecords: core.walRecords)
        }
    }

    /// Reads at the newest durable revision, or at `request.revision` from history.
    /// - Throws: `KVError.compacted`/`.futureRevision`/`.invalidRequest`.
    package func range(_ request: RangeRequest) async throws -> RangeResult {
        let (outcome, followups) = try core.withLock { core throws(KVError) in
            try checkOpen(core)
            let followups = expireLeases(&core)
            // Expiry this read triggered must be durable before the read may show it.
            if followups.lsn != nil { return (Result<RangeResult, KVError>?.none, followups) }
            return (
                Result { () throws(KVError) in try core.state.read(request, latest: core.durableRevision) }, followups
            )
        }
        run(followups)
        if let outcome { return try outcome.get() }
        if let lsn = followups.lsn { try await waitDurable(lsn) }
        return try core.withLock { core throws(KVError) in try core.state.read(request, latest: core.durableRevision) }
    }

    /// Several reads at the same durable revision under one lock, without waiting for queued writes: the v2 API
    /// reads a key, its directory and its parents for every write.
    /// - Throws: `KVError.compacted`/`.futureRevision`/`.invalidRequest` of the first read that fails.
    package func ranges(_ requests: [RangeRequest]) async throws -> [RangeResult] {
        let (outcome, followups) = try core.withLock { core throws(KVError) in
            try checkOpen(core)
            let followups = expireLeases(&core)
            if followups.lsn != nil { return (Result<[RangeResult], KVError>?.none, followups) }
            return (
                Result { () throws(KVError) in
                    try requests.map { request throws(KVError) in
                        try core.state.read(request, latest: core.durableRevision)
                    }
                }, followups
            )
        }
        run(followups)
        if let outcome { return try outcome.get() }
        if let lsn = followups.lsn { try await waitDurable(lsn) }
        return try core.withLock { core throws(KVError) in
            try requests.map { request throws(KVError) in try core.state.read(request, latest: core.durableRevision) }
        }
    }

    /// Applies a transaction and answers once it is durable.
    /// - Throws: `KVError`; nothing was applied (`.storage`: the log failed, writes are refused from then on).
    package func txn(_ txn: Txn) async throws -> TxnResult {
        let limit = configuration.maxRequestBytes
        return try await write { state throws(KVError) in try state.apply(txn, maxRequestBytes: limit) }
    }

    /// Discards history before `revision`, durably.
    /// - Throws: `KVError.compacted`/`.futureRevision`; history is kept.
    package func compact(_ revision: Revision) async throws {
        // Compaction must not drop history that reads of not-yet-durable writes still undo.
        try await waitDurable(core.withLock { $0.pendingLSN })
        try await write { state throws(KVError) -> (Void, WALRecord.Body?) in
            if revision <= state.compactRevision {
                throw .compacted(requested: revision, compactRevision: state.compactRevision)
            }
            if revision > state.revision { throw .futureRevision(requested: revision, current: state.revision) }
            state.compact(to: revision)
            return ((), .compact(revision))
        }
    }

    func checkOpen(_ core: Core) throws(KVError) {
        if core.closed { throw closedError }
    }
}
