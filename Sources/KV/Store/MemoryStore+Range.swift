extension MemoryStore.State {
    /// Reads `request` as of `latest` (what "now" is for this reader), undoing newer history.
    /// - Throws: `KVError.compacted`/`.futureRevision`/`.invalidRequest`; nothing changes.
    func read(_ request: RangeRequest, latest: Revision) throws(KVError) -> RangeResult {
        try check(request, latest: latest)
        return collect(request, latest: latest)
    }

    /// Validates a read without doing it, so a transaction can refuse before it writes.
    func check(_ request: RangeRequest, latest: Revision) throws(KVError) {
        guard request.limit >= 0 else { throw .invalidRequest("limit must not be negative") }
        guard let asked = request.revision, asked != 0 else { return }
        guard asked > 0 else { throw .invalidRequest("revision must not be negative") }
        if asked > latest { throw .futureRevision(requested: asked, current: latest) }
        if asked < compactRevision || asked < historyStart - 1 {
            throw .compacted(requested: asked, compactRevision: reportedCompactRevision)
        }
    }

    /// The read itself; `check` must have passed.
    func collect(_ request: RangeRequest, latest: Revision) -> RangeResult {
        if request.filter.isActive {
            // Filter first, then limit: the whole range is read, as etcd does.
            var all = request
            (all.filter, all.limit, all.countOnly) = (RevisionFilter(), 0, false)
            let unfiltered = collect(all, latest: latest)
            var kvs = unfiltered.kvs.filter(request.filter.admits)
            let more = !request.countOnly && request.limit > 0 && kvs.count > request.limit
            if more { kvs.removeSubrange(request.limit...) }
            if request.countOnly { kvs = [] }
            return RangeResult(kvs: kvs, count: unfiltered.count, more: more, revision: latest)
        }
        let target = request.revision.flatMap { $0 > 0 ? $0 : nil } ?? latest
        let newest = max(revision, history.lastRevision ?? revision)
        var matches: [KeyValue]
        let count: Int
        if target >= newest {
            let positions = index.positions(of: request.range)
            count = positions.count
            let wanted = request.countOnly ? 0 : request.limit > 0 ? min(request.limit, count) : count
            matches = []
            matches.reserveCapacity(wanted)
            for position in positions.prefix(wanted) {
                if let kv = keys[index.keys[position]] { matches.append(kv) }
            }
        } else {
            matches = past(request.range, at: target)
            count = matches.count
            if request.countOnly {
                matches = []
            } else if request.limit > 0 && matches.count > request.limit {
                matches.removeLast(matches.count - request.limit)
            }
        }
        if request.keysOnly {
            for position in matches.indices { matches[position].value = [] }
        }
        let more = !request.countOnly && request.limit > 0 && count > request.limit
        return RangeResult(kvs: matches, count: count, more: more, revision: latest)
    }

    /// The keys of `range` as they were at `target`: today's keys with every newer event undone.
    private func past(_ range: KeyRange, at target: Revision) -> [KeyValue] {
        var view: [[UInt8]: KeyValue] = [:]
        for position in index.positions(of: range) {
            let key = index.keys[position]
            view[key] = keys[key]
        }
        for record in history.records(from: target + 1).reversed() {
            for event in record.events.reversed() where range.contains(event.kv.key) {
                view[event.kv.key] = event.prevKV
            }
        }
        return view.values.sorted { ByteOrder.less($0.key, $1.key) }
    }
}
