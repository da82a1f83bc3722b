/// The live watches of a store and their delivery rule.
///
/// Each watcher has a bounded stream buffer: a consumer that falls `limit` batches behind is
/// ended with an error rather than slowing writers or growing memory; it watches again from its
/// last revision. Delivery happens under the store's lock, so batches leave in revision order.
struct WatcherSet {
    struct Watcher {
        var range: KeyRange
        var prevKV: Bool
        var noPut = false
        var noDelete = false
        /// The first revision this watcher has not been sent yet.
        var nextRevision: Revision
        var continuation: WatchStream.Continuation
    }

    private var watchers: [Int: Watcher] = [:]
    /// Streams to end with an error once the lock is released (ending one runs its termination handler).
    typealias Ending = (WatchStream.Continuation, any Error)

    var count: Int { watchers.count }

    mutating func add(_ id: Int, _ watcher: Watcher) { watchers[id] = watcher }

    mutating func remove(_ id: Int) { watchers[id] = nil }

    /// Sends every record at or after each watcher's next revision, one batch per watcher.
    /// - Returns: watchers that overflowed and were removed, with the error to end them with.
    mutating func deliver(_ records: ArraySlice<MemoryStore.HistoryRecord>, revision: Revision, store: String)
        -> [Ending]
    {
        guard let last = records.last?.revision, !watchers.isEmpty else { return [] }
        var endings: [Ending] = []
        for (id, watcher) in watchers where watcher.nextRevision <= last {
            let events = WatcherSet.events(records, for: watcher)
            watchers[id]?.nextRevision = last + 1
            guard !events.isEmpty else { continue }
            switch watcher.continuation.yield(WatchBatch(events: events, revision: revision)) {
            case .enqueued: continue
            case .terminated: watchers[id] = nil
            case .dropped:
                watchers[id] = nil
                endings.append((watcher.continuation, WatcherSet.overflow(watcher, store: store)))
            @unknown default: continue
            }
        }
        return endings
    }

    /// Ends every stream: the store is closing.
    mutating func removeAll() -> [WatchStream.Continuation] {
        defer { watchers = [:] }
        return watchers.values.map(\.continuation)
    }

    /// The watcher's events in `records`, in order, with `prevKV` only when it asked.
    static func events(_ records: ArraySlice<MemoryStore.HistoryRecord>, for watcher: Watcher) -> [WatchEvent] {
        var events: [WatchEvent] = []
        for record in records where record.revision >= watcher.nextRevision {
            for event in record.events where watcher.range.contains(event.kv.key) {
                if event.kind == .put ? watcher.noPut : watcher.noDelete { continue }
                var event = event
                if !watcher.prevKV { event.prevKV = nil }
                events.append(event)
            }
        }
        return events
    }

    static func overflow(_ watcher: Watcher, store: String) -> KVError {
        .unavailable(
            endpoints: [store],
            reason:
                "watch on \(watcher.range) fell behind and its buffer filled; watch again from revision \(watcher.nextRevision)"
        )
    }
}
