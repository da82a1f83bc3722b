extension MemoryStore.State {
    /// Which branch every level of a transaction takes, decided on the state before it writes (as etcd does).
    private struct Path {
        var succeeded: Bool
        var nested: [Path]
    }

    /// Runs `txn` atomically at `revision + 1`.
    /// - Returns: the result and the log body, nil when nothing changed (the revision stays).
    /// - Throws: `KVError`; nothing was applied.
    mutating func apply(_ txn: Txn, maxRequestBytes: Int) throws(KVError) -> (TxnResult, WALRecord.Body?) {
        var size = 0
        try validate(txn, size: &size)
        if size > maxRequestBytes { throw .requestTooLarge(size: size, limit: maxRequestBytes) }
        let path = choose(txn)
        try checkRequests(txn, path)
        let writes = hasWrites(txn, path)
        if writes { beginWrite() }
        var result = execute(txn, path)
        txns += 1
        let changes = writes ? finishWrite() : nil
        stamp(&result, revision: revision)
        guard let changes else { return (result, nil) }
        return (result, .write(revision: revision, changes: changes, revokedLease: nil))
    }

    private func validate(_ txn: Txn, size: inout Int) throws(KVError) {
        for branch in [txn.success, txn.failure] {
            var puts = Set<[UInt8]>()
            var deletes: [KeyRange] = []
            for op in branch {
                switch op {
                case .put(let put):
                    guard !put.key.isEmpty else { throw .invalidRequest("key is not provided") }
                    if put.ignoreValue && !put.value.isEmpty { throw .invalidRequest("etcdserver: value is provided") }
                    if put.ignoreLease && put.lease != nil { throw .invalidRequest("etcdserver: lease is provided") }
                    guard puts.insert(put.key).inserted else {
                        throw .invalidRequest("etcdserver: duplicate key given in txn request")
                    }
                    size += put.key.count + put.value.count
                case .delete(let delete):
                    guard !delete.range.start.isEmpty else { throw .invalidRequest("key is not provided") }
                    deletes.append(delete.range)
                    size += delete.range.start.count + delete.range.rangeEnd.count
                case .range(let range):
                    guard range.limit >= 0 else { throw .invalidRequest("limit must not be negative") }
                    size += range.range.start.count + range.range.rangeEnd.count
                case .txn(let nested): try validate(nested, size: &size)
                }
            }
            for range in deletes where puts.contains(where: range.contains) {
                throw .invalidRequest("etcdserver: duplicate key given in txn request")
            }
        }
        for compare in txn.compare {
            size += compare.range.start.count + compare.range.rangeEnd.count
            if case .value(let value) = compare.target { size += value.count }
        }
    }

    private func choose(_ txn: Txn) -> Path {
        let succeeded = txn.compare.allSatisfy(holds)
        var nested: [Path] = []
        for op in succeeded ? txn.success : txn.failure {
            if case .txn(let inner) = op { nested.append(choose(inner)) }
        }
        return Path(succeeded: succeeded, nested: nested)
    }

    /// etcd's rule: a missing key compares as version/revisions 0 and no lease; a value compare on it fails.
    private func holds(_ compare: Compare) -> Bool {
        var matched = index.positions(of: compare.range).map { keys[index.keys[$0]] }.compactMap { $0 }
        if matched.isEmpty {
            if case .value = compare.target { return false }
            matched = [KeyValue(key: compare.range.start, value: [], createRevision: 0, modRevision: 0, version: 0)]
        }
        return matched.allSatisfy { kv in
            let order: Int
            switch compare.target {
            case .value(let value): order = ByteOrder.less(kv.value, value) ? -1 : kv.value == value ? 0 : 1
            case .version(let version): order = kv.version < version ? -1 : kv.version == version ? 0 : 1
            case .createRevision(let rev): order = kv.createRevision < rev ? -1 : kv.createRevision == rev ? 0 : 1
            case .modRevision(let rev): order = kv.modRevision < rev ? -1 : kv.modRevision == rev ? 0 : 1
            case .lease(let lease):
                let (have, want) = (kv.lease?.rawValue ?? 0, lease?.rawValue ?? 0)
                order = have < want ? -1 : have == want ? 0 : 1
            }
            switch compare.result {
            case .equal: return order == 0
            case .notEqual: return order != 0
            case .greater: return order > 0
            case .less: return order < 0
            }
        }
    }

    private func checkRequests(_ txn: Txn, _ path: Path) throws(KVError) {
        var nested = path.nested.makeIterator()
        for op in path.succeeded ? txn.success : txn.failure {
            switch op {
            case .put(let put):
                if let lease = put.lease, lease.rawValue != 0, !leases.contains(lease) { throw .leaseNotFound(lease) }
                if (put.ignoreValue || put.ignoreLease) && keys[put.key] == nil {
                    throw .keyNotFound(String(decoding: put.key, as: UTF8.self))
                }
            case .range(let range): try check(range, latest: revision)
            case .delete: break
            case .txn(let inner): if let innerPath = nested.next() { try checkRequests(inner, innerPath) }
            }
        }
    }

    private func hasWrites(_ txn: Txn, _ path: Path) -> Bool {
        var nested = path.nested.makeIterator()
        for op in path.succeeded ? txn.success : txn.failure {
            switch op {
            case .put, .delete: return true
            case .range: continue
            case .txn(let inner): if let innerPath = nested.next(), hasWrites(inner, innerPath) { return true }
            }
        }
        return false
    }

    private mutating func execute(_ txn: Txn, _ path: Path) -> TxnResult {
        let rev = revision + 1
        var nested = path.nested.makeIterator()
        var responses: [TxnOpResult] = []
        for op in path.succeeded ? txn.success : txn.failure {
            switch op {
            case .range(let request):
                // Reads inside a write transaction see its earlier writes, as etcd's do.
                responses.append(.range(collect(request, latest: max(revision, history.lastRevision ?? revision))))
            case .put(let put):
                let previous = keys[put.key]
                var kv = KeyValue(
                    key: put.key, value: put.ignoreValue ? previous?.value ?? [] : put.value,
                    createRevision: previous?.createRevision ?? rev, modRevision: rev,
                    version: (previous?.version ?? 0) + 1,
                    lease: put.ignoreLease ? previous?.lease : put.lease.flatMap { $0.rawValue == 0 ? nil : $0 })
                if previous == nil { kv.createRevision = rev }
                store(kv)
                responses.append(.put(PutResult(revision: rev, prevKV: put.prevKV ? previous : nil)))
            case .delete(let delete):
                let targets = index.positions(of: delete.range).map { index.keys[$0] }
                var removed: [KeyValue] = []
                for key in targets { if let previous = remove(key, at: rev) { removed.append(previous) } }
                responses.append(
                    .delete(
                        DeleteResult(
                            revision: rev, deleted: Int64(removed.count), prevKVs: delete.prevKV ? removed : [])))
            case .txn(let inner):
                guard let innerPath = nested.next() else { continue }
                responses.append(.txn(execute(inner, innerPath)))
            }
        }
        return TxnResult(succeeded: path.succeeded, responses: responses, revision: rev)
    }

    /// Every response of a transaction reports the revision after it, like etcd's header.
    private func stamp(_ result: inout TxnResult, revision: Revision) {
        result.revision = revision
        for position in result.responses.indices {
            switch result.responses[position] {
            case .range(var range):
                range.revision = revision
                result.responses[position] = .range(range)
            case .put(var put):
                put.revision = revision
                result.responses[position] = .put(put)
            case .delete(var delete):
                delete.revision = revision
                result.responses[position] = .delete(delete)
            case .txn(var inner):
                stamp(&inner, revision: revision)
                result.responses[position] = .txn(inner)
            }
        }
    }
}
