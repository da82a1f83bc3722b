extension MemoryStore {
    /// The events of one revision, each with the key's previous state so reads can undo it.
    struct HistoryRecord: Sendable {
        var revision: Revision
        var events: [WatchEvent]
    }

    /// Retained revisions, oldest first and contiguous: every revision has at least one event.
    ///
    /// Serves reads at past revisions (by undoing newer records) and watch replay; compaction
    /// drops records from the front, so memory follows the retained revisions.
    struct History {
        private var records: [HistoryRecord] = []
        private var head = 0

        /// The oldest retained revision, nil when nothing is retained.
        var firstRevision: Revision? { head < records.count ? records[head].revision : nil }
        var lastRevision: Revision? { records.last?.revision }
        var count: Int { records.count - head }

        mutating func append(_ record: HistoryRecord) { records.append(record) }

        /// Adds an event to the newest record (the transaction being applied).
        mutating func appendEvent(_ event: WatchEvent) { records[records.count - 1].events.append(event) }

        mutating func removeLast() { records.removeLast() }

        /// Records with revision `>= revision`, oldest first.
        func records(from revision: Revision) -> ArraySlice<HistoryRecord> {
            guard let first = firstRevision else { return [] }
            let start = head + Int(max(0, revision - first))
            return start < records.count ? records[start...] : []
        }

        /// Drops records older than `revision`.
        mutating func discard(before revision: Revision) {
            guard let first = firstRevision, revision > first else { return }
            head = min(records.count, head + Int(revision - first))
            // Reclaim the dropped prefix once it outweighs what is kept, so trimming stays amortised O(1).
            if head > 1024 && head * 2 > records.count {
                records.removeFirst(head)
                head = 0
            }
        }
    }
}
