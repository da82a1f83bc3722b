/// etcd's range sorting, done above the store: fetch everything that matches, sort, then apply the limit.
enum RangeSorter {
    static func range(_ request: RangeRequest, sort: GatewayRequests.Sort, in store: any KVStore) async throws
        -> RangeResult
    {
        guard !sort.isNatural, !request.countOnly else { return try await store.range(request) }
        var all = request
        all.limit = 0
        var result = try await store.range(all)
        let target = sort.target
        let less: (KeyValue, KeyValue) -> Bool = { a, b in
            switch target {
            case .key: a.key.lexicographicallyPrecedes(b.key)
            case .version: a.version < b.version
            case .create: a.createRevision < b.createRevision
            case .mod: a.modRevision < b.modRevision
            case .value: a.value.lexicographicallyPrecedes(b.value)
            }
        }
        result.kvs.sort(by: sort.order == .descend ? { less($1, $0) } : less)
        if request.limit > 0 && result.kvs.count > request.limit {
            result.kvs.removeSubrange(request.limit...)
            result.more = true
        }
        return result
    }
}
