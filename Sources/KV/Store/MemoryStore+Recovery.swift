import Platform

extension MemoryStore {
    /// Rebuilds the state a data directory holds: the snapshot, then every later record.
    ///
    /// History before the snapshot is not kept, so reads and watches from before it are told
    /// `compacted`; leases get their full TTL again from `now`, as etcd does after a restart.
    static func recover(_ recovered: WriteAheadLog.Recovered, retention: Int, now: Duration) -> Core {
        var state = State(retention: max(1, retention))
        var lastLSN: Int64 = 0
        if let snapshot = recovered.snapshot {
            for kv in snapshot.keys {
                state.keys[kv.key] = kv
            }
            for key in state.keys.keys.sorted(by: ByteOrder.less) { state.index.append(key) }
            for lease in snapshot.leases { state.leases.grant(lease.id, ttl: lease.ttl, now: now) }
            for kv in snapshot.keys { if let lease = kv.lease { state.leases.attach(kv.key, to: lease) } }
            state.revision = snapshot.revision
            state.compactRevision = snapshot.compactRevision
            state.historyStart = snapshot.revision + 1
            lastLSN = snapshot.lsn
        }
        for record in recovered.records {
            state.replay(record.body, now: now)
            lastLSN = record.lsn
        }
        state.leases.restartDeadlines(now: now)
        state.puts = 0
        state.deletes = 0
        var core = Core(state: state, logging: true)
        core.nextLSN = lastLSN + 1
        core.pendingLSN = lastLSN
        core.durableLSN = lastLSN
        core.durableRevision = state.revision
        return core
    }
}
