extension MemoryStore {
    /// Everything the store knows, without locks or I/O: keys, history, leases, revisions.
    ///
    /// Every mutation returns the `WALRecord.Body` that replays it, so the caller can log it
    /// in the order it applied it; `replay` applies such bodies again on recovery.
    struct State {
        var keys: [[UInt8]: KeyValue] = [:]
        var index = KeyIndex()
        /// The newest revision applied (durable or not).
        var revision: Revision = 1
        var compactRevision: Revision = 0
        /// Every event of every revision from here on is in `history` (recovery starts it after the snapshot).
        var historyStart: Revision = 1
        var history = History()
        var leases = LeaseTable()
        /// Revisions of history kept before automatic compaction.
        var retention: Int
        var puts = 0
        var deletes = 0
        var txns = 0

        init(retention: Int) { self.retention = retention }

        /// Writes `kv` (its revisions already set) and records the event in the newest history record.
        mutating func store(_ kv: KeyValue) {
            let previous = keys.updateValue(kv, forKey: kv.key)
            if let previous {
                if previous.lease != kv.lease, let old = previous.lease { leases.detach(kv.key, from: old) }
            } else {
                index.insert(kv.key)
            }
            if let lease = kv.lease { leases.attach(kv.key, to: lease) }
            history.appendEvent(WatchEvent(kind: .put, kv: kv, prevKV: previous))
            puts += 1
        }

        /// Deletes `key` at `revision`; returns the key as it was, nil when absent.
        @discardableResult
        mutating func remove(_ key: [UInt8], at revision: Revision) -> KeyValue? {
            guard let previous = keys.removeValue(forKey: key) else { return nil }
            index.remove(key)
            if let lease = previous.lease { leases.detach(key, from: lease) }
            let tombstone = KeyValue(key: key, value: [], createRevision: 0, modRevision: revision, version: 0)
            history.appendEvent(WatchEvent(kind: .delete, kv: tombstone, prevKV: previous))
            deletes += 1
            return previous
        }

        /// Opens the history record of a write at `revision + 1`; `finishWrite` closes it.
        mutating func beginWrite() {
            history.append(HistoryRecord(revision: revision + 1, events: []))
        }

        /// Commits the open record if it holds events (the revision moves on), else drops it.
        /// - Returns: the committed record's key changes, nil when nothing changed.
        mutating func finishWrite() -> [KeyChange]? {
            guard let record = history.records(from: revision + 1).first, !record.events.isEmpty else {
                history.removeLast()
                return nil
            }
            revision += 1
            return record.events.map { $0.kind == .put ? .put($0.kv) : .delete($0.kv.key) }
        }

        /// Compacts automatically so at most `retention` revisions of history stay, never past `limit`.
        mutating func retain(upTo limit: Revision) {
            // Compacting in steps of a tenth of the retention keeps the cost amortised.
            let target = min(revision - Revision(retention) + 1, limit)
            guard target > compactRevision + Revision(max(1, retention / 10)) else { return }
            compact(to: target)
        }

        /// Applies a logged record again (recovery); the body came from this same code, so it fits.
        mutating func replay(_ body: WALRecord.Body, now: Duration) {
            switch body {
            case let .write(revision, changes, revokedLease):
                history.append(HistoryRecord(revision: revision, events: []))
                for change in changes {
                    switch change {
                    case .put(let kv): store(kv)
                    case .delete(let key): remove(key, at: revision)
                    }
                }
                self.revision = revision
                if let id = revokedLease { _ = leases.remove(id) }
                retain(upTo: revision)
            case let .grant(id, ttl): leases.grant(id, ttl: ttl, now: now)
            case .revoke(let id): _ = leases.remove(id)
            case .compact(let revision):
                compact(to: revision)
            }
        }

        mutating func compact(to target: Revision) {
            compactRevision = max(compactRevision, target)
            historyStart = max(historyStart, target)
            history.discard(before: target)
        }

        /// Undoes every revision after `target`: writes whose log record never became durable.
        ///
        /// A key brought back whose lease is gone (its revoke was among the undone writes) gets that lease
        /// back already expired, so the next expiry deletes it rather than keeping it forever.
        mutating func rollBack(to target: Revision, now: Duration) {
            let undone = Array(history.records(from: target + 1))
            for record in undone.reversed() {
                for event in record.events.reversed() {
                    let key = event.kv.key
                    if let lease = keys[key]?.lease { leases.detach(key, from: lease) }
                    if let previous = event.prevKV {
                        if keys.updateValue(previous, forKey: key) == nil { index.insert(key) }
                        if let lease = previous.lease {
                            if !leases.contains(lease) { leases.grant(lease, ttl: 0, now: now) }
                            leases.attach(key, to: lease)
                        }
                    } else if keys.removeValue(forKey: key) != nil {
                        index.remove(key)
                    }
                }
                history.removeLast()
            }
            revision = min(revision, target)
        }

        /// The compact revision to report when history before `revision` is gone.
        var reportedCompactRevision: Revision { max(compactRevision, historyStart - 1) }
    }
}
