import Dispatch
import Platform

extension MemoryStore {
    /// Work a locked section leaves for after the lock: acknowledgements, ended watches, a wake-up.
    struct Followups {
        var resumes: [(CheckedContinuation<Void, any Error>, Result<Void, KVError>)] = []
        var endings: [WatcherSet.Ending] = []
        var wake = false
        /// Leases expired in memory only, because the log has failed.
        var expiredInMemory = 0
        /// The newest log record queued, when one was.
        var lsn: Int64?

        mutating func merge(_ other: Followups) {
            resumes += other.resumes
            endings += other.endings
            wake = wake || other.wake
            lsn = [lsn, other.lsn].compactMap { $0 }.max()
            expiredInMemory += other.expiredInMemory
        }
    }

    func run(_ followups: Followups) {
        if followups.wake { wakeup.signal() }
        if followups.expiredInMemory > 0 {
            log.warning(
                "leases expired while the write-ahead log is failed; their keys are deleted in memory only",
                ["leases": "\(followups.expiredInMemory)"])
        }
        for (continuation, result) in followups.resumes { continuation.resume(with: result) }
        for (stream, error) in followups.endings { stream.finish(throwing: error) }
    }

    /// Applies a write under the lock and returns once its log record (and every earlier one) is durable.
    /// - Throws: the write's `KVError`, or `.storage` when the log failed; then the write is not acknowledged.
    func write<T: Sendable>(_ apply: (inout State) throws(KVError) -> (T, WALRecord.Body?)) async throws -> T {
        var output: T?
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let followups = core.withLock { core in
                var followups = Followups()
                do throws(KVError) {
                    try checkOpen(core)
                    if let failure = core.failure { throw failure }
                    followups = expireLeases(&core)
                    let (value, body) = try apply(&core.state)
                    output = value
                    if let body { followups.merge(commit(body, &core)) }
                    // A read-only transaction waits too: what it saw must be durable before it answers.
                    if core.logging && core.pendingLSN > core.durableLSN {
                        core.waiters.append((core.pendingLSN, continuation))
                    } else {
                        followups.resumes.append((continuation, .success(())))
                    }
                } catch {
                    followups.resumes.append((continuation, .failure(error)))
                }
                return followups
            }
            run(followups)
        }
        guard let output else { throw KVError.protocolViolation("write finished without a result") }
        return output
    }

    /// Queues `body` for the log (memory only: publishes it at once).
    func commit(_ body: WALRecord.Body, _ core: inout Core) -> Followups {
        var followups = Followups()
        guard core.logging else {
            core.state.retain(upTo: core.state.revision)
            let old = core.durableRevision
            core.durableRevision = core.state.revision
            followups.endings = deliver(&core, after: old)
            return followups
        }
        core.state.retain(upTo: core.durableRevision)
        let lsn = core.nextLSN
        core.nextLSN += 1
        core.pending += Frame.encode(WALRecord(lsn: lsn, body: body).encoded())
        core.pendingLSN = lsn
        core.recordsSinceSnapshot += 1
        core.walRecords += 1
        followups.wake = !core.wakeRequested
        core.wakeRequested = true
        followups.lsn = lsn
        return followups
    }

    /// Sends watchers the durable revisions after `old`.
    func deliver(_ core: inout Core, after old: Revision) -> [WatcherSet.Ending] {
        let durable = core.durableRevision
        let records = core.state.history.records(from: old + 1).prefix { $0.revision <= durable }
        return core.watchers.deliver(records, revision: durable, store: name)
    }

    /// Waits until the log record `lsn` is durable.
    /// - Throws: `KVError.storage` when the log failed first.
    func waitDurable(_ lsn: Int64) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let now: Result<Void, KVError>? = core.withLock { core in
                if !core.logging || core.durableLSN >= lsn { return .success(()) }
                if let failure = core.failure { return .failure(failure) }
                core.waiters.append((lsn, continuation))
                return nil
            }
            if let now { continuation.resume(with: now) }
        }
    }

    /// Starts the thread that writes and syncs the log; `close()` joins it.
    /// - Throws: `SystemError` when no thread can be started; the store must not be used then.
    func startCommitThread(_ wal: WriteAheadLog) throws {
        core.withLock { $0.logging = true }
        let box = WALBox(wal: wal)
        let thread = try PosixThread(name: "switchboard-wal") { [self] in commitLoop(box.wal) }
        commitThread.withLock { $0 = thread }
    }

    /// The group commit: every record queued while the last `fdatasync` ran goes out in one write and one sync.
    private func commitLoop(_ wal: WriteAheadLog) {
        while true {
            let batch = core.withLock {
                core -> (frames: [UInt8], lsn: Int64, revision: Revision, snapshot: Snapshot?)? in
                core.wakeRequested = false
                guard !core.pending.isEmpty, core.failure == nil else { return nil }
                var frames: [UInt8] = []
                swap(&frames, &core.pending)
                var snapshot: Snapshot?
                if core.recordsSinceSnapshot >= configuration.snapshotEvery {
                    core.recordsSinceSnapshot = 0
                    snapshot = capture(core, lsn: core.pendingLSN)
                }
                return (frames, core.pendingLSN, core.state.revision, snapshot)
            }
            guard let batch else {
                if core.withLock({ $0.closed }) { break }
                wakeup.wait()
                continue
            }
            let started = SystemClock().now
            do {
                try wal.append(batch.frames)
                if configuration.fsync { try wal.sync() }
            } catch {
                fail(error, wal: wal)
                continue
            }
            let seconds = (SystemClock().now - started).seconds
            publish(lsn: batch.lsn, revision: batch.revision, bytes: batch.frames.count, seconds: seconds, wal: wal)
            if let snapshot = batch.snapshot {
                do {
                    try wal.writeSnapshot(snapshot)
                    log.info(
                        "snapshot written", ["revision": "\(snapshot.revision)", "keys": "\(snapshot.keys.count)"])
                } catch {
                    log.error("snapshot failed; the log keeps growing until one succeeds", ["error": "\(error)"])
                }
            }
        }
        // Other references (a finishing request task) may keep the log object alive past close().
        wal.releaseLock()
    }

    private func publish(lsn: Int64, revision: Revision, bytes: Int, seconds: Double, wal: WriteAheadLog) {
        let followups = core.withLock { core in
            var followups = Followups()
            core.durableLSN = lsn
            let old = core.durableRevision
            core.durableRevision = revision
            core.fsyncs += configuration.fsync ? 1 : 0
            core.fsyncSeconds += seconds
            core.walBytes = wal.bytesWritten
            followups.endings = deliver(&core, after: old)
            var waiting: [(lsn: Int64, continuation: CheckedContinuation<Void, any Error>)] = []
            for waiter in core.waiters {
                if waiter.lsn <= lsn {
                    followups.resumes.append((waiter.continuation, .success(())))
                } else {
                    waiting.append(waiter)
                }
            }
            core.waiters = waiting
            return followups
        }
        run(followups)
    }

    /// The log cannot be written: every waiting write fails and the store refuses writes from now on.
    private func fail(_ error: any Error, wal: WriteAheadLog) {
        let reason =
            (error as? KVError).map { error -> String in
                if case .storage(let reason) = error { return reason }
                return error.description
            } ?? "\(error)"
        let failure = KVError.storage("\(reason); the store refuses writes until it is restarted")
        log.error("write-ahead log failed; refusing writes, reads keep working", ["error": reason])
        let followups = core.withLock { core in
            var followups = Followups()
            core.failure = failure
            core.pending = []
            // Undo what the log never made durable, so in-memory expiry (see `expireLeases`) never shows it.
            core.state.rollBack(to: core.durableRevision, now: configuration.clock.now)
            followups.resumes = core.waiters.map { ($0.continuation, .failure(failure)) }
            core.waiters = []
            return followups
        }
        run(followups)
    }

    private func capture(_ core: Core, lsn: Int64) -> Snapshot {
        let leases = core.state.leases.entries.map { Lease(id: $0.key, ttl: $0.value.ttl) }
        return Snapshot(
            lsn: lsn, revision: core.state.revision, compactRevision: core.state.compactRevision,
            keys: Array(core.state.keys.values), leases: leases)
    }
}

/// Hands the log to the commit thread.
// Safe: after `open` returns, only the commit thread touches the log.
private struct WALBox: @unchecked Sendable {
    let wal: WriteAheadLog
}
