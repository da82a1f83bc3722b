import Dispatch

extension MemoryStore {
    /// Replays durable history from `startRevision`, then streams live batches; ends with
    /// `KVError.compacted` when that history is gone, `.unavailable` on overflow or close.
    package func watch(_ request: WatchRequest) -> WatchStream {
        let limit = max(1, configuration.watchBufferLimit)
        let (stream, continuation) = WatchStream.makeStream(bufferingPolicy: .bufferingOldest(limit))
        let id = nextWatcherID.add(1, ordering: .relaxed).oldValue
        // Termination can run inside `Task.cancel()` while the runtime holds that task's status lock, and a
        // commit yields to watchers while holding `core`: taking `core` here would invert that order and
        // deadlock. So the watcher is removed later, off this call stack.
        continuation.onTermination = { [weak self] _ in
            guard let store = self else { return }
            DispatchQueue.global().async { store.core.withLock { $0.watchers.remove(id) } }
        }
        let ending: (any Error)? = core.withLock { core in
            if core.closed { return closedError }
            if request.startRevision < 0 { return KVError.invalidRequest("start revision must not be negative") }
            let durable = core.durableRevision
            let start = request.startRevision == 0 ? durable + 1 : request.startRevision
            let oldest = max(core.state.compactRevision, core.state.historyStart)
            if start <= durable && start < oldest {
                return KVError.compacted(requested: start, compactRevision: oldest)
            }
            var watcher = WatcherSet.Watcher(
                range: request.range, prevKV: request.prevKV, noPut: request.noPut, noDelete: request.noDelete,
                nextRevision: start, continuation: continuation)
            if start <= durable {
                let records = core.state.history.records(from: start).prefix { $0.revision <= durable }
                for batch in MemoryStore.replayBatches(records, for: watcher, limit: limit) {
                    if case .dropped = continuation.yield(WatchBatch(events: batch, revision: durable)) {
                        return WatcherSet.overflow(watcher, store: name)
                    }
                }
                watcher.nextRevision = durable + 1
            }
            core.watchers.add(id, watcher)
            return nil
        }
        if let ending { continuation.finish(throwing: ending) }
        return stream
    }

    /// Replayed history in few batches, so a long replay fits the buffer; never splits a revision.
    static func replayBatches(
        _ records: ArraySlice<HistoryRecord>, for watcher: WatcherSet.Watcher, limit: Int
    ) -> [[WatchEvent]] {
        let total = records.reduce(0) { $0 + $1.events.count }
        let size = max(1000, total / max(1, limit / 2))
        var batches: [[WatchEvent]] = []
        var current: [WatchEvent] = []
        for record in records {
            current += WatcherSet.events([record][...], for: watcher)
            if current.count >= size {
                batches.append(current)
                current = []
            }
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }
}
