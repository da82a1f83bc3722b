/// A key-value store with revisions, leases and watches: etcd's v3 model.
///
/// Revisions only grow; a watch from `r` replays every later event in order or ends with
/// `KVError.compacted`. Proved for every conformer by Tests/KVTests/KVStoreContractTests.swift
/// and, over the wire, Tests/IntegrationTests/ClientContractTests.swift.
package protocol KVStore: Sendable {
    /// Reads a key range.
    /// - Throws: `KVError.compacted`/`.futureRevision` for a revision outside history.
    func range(_ request: RangeRequest) async throws -> RangeResult
    /// Runs a transaction atomically; all its writes share one new revision.
    /// - Throws: `KVError`; on any error nothing was applied.
    func txn(_ txn: Txn) async throws -> TxnResult
    /// Grants a lease of `ttl` seconds; `id` nil lets the store choose one.
    func grantLease(ttl: Int64, id: LeaseID?) async throws -> Lease
    /// Renews a lease to its full TTL.
    /// - Returns: the TTL in seconds.
    /// - Throws: `KVError.leaseNotFound` when it expired or was revoked.
    func keepAlive(_ id: LeaseID) async throws -> Int64
    /// Revokes a lease and deletes its keys.
    /// - Throws: `KVError.leaseNotFound`.
    func revoke(_ id: LeaseID) async throws
    /// Reports a lease's remaining time.
    /// - Throws: `KVError.leaseNotFound`.
    func timeToLive(_ id: LeaseID, keys: Bool) async throws -> LeaseStatus
    /// Discards history before `revision`.
    /// - Throws: `KVError.compacted` when already compacted past it, `.futureRevision` beyond the store.
    func compact(_ revision: Revision) async throws
    /// Streams changes in `request.range` from `request.startRevision` on.
    func watch(_ request: WatchRequest) -> WatchStream
}

extension KVStore {
    /// Writes `value` at `key`.
    /// - Returns: the revision of the write.
    @discardableResult
    package func put(_ key: String, _ value: String, lease: LeaseID? = nil) async throws -> Revision {
        try await put(PutRequest(key: Array(key.utf8), value: Array(value.utf8), lease: lease)).revision
    }

    /// Runs one put as a transaction.
    package func put(_ request: PutRequest) async throws -> PutResult {
        let result = try await txn(Txn(success: [.put(request)]))
        guard case .put(let put)? = result.responses.first else {
            throw KVError.protocolViolation("put answered without a put response")
        }
        return put
    }

    /// Deletes every key in `range`.
    @discardableResult
    package func delete(_ range: KeyRange, prevKV: Bool = false) async throws -> DeleteResult {
        let result = try await txn(Txn(success: [.delete(DeleteRequest(range, prevKV: prevKV))]))
        guard case .delete(let delete)? = result.responses.first else {
            throw KVError.protocolViolation("delete answered without a delete response")
        }
        return delete
    }

    /// Deletes one key; returns how many keys were deleted (0 or 1).
    @discardableResult
    package func delete(_ key: String) async throws -> Int64 {
        try await delete(.key(key)).deleted
    }

    /// Reads one key at the latest revision.
    package func get(_ key: String) async throws -> KeyValue? {
        try await range(RangeRequest(.key(key))).kvs.first
    }

    /// Reads every key under `prefix` at the latest revision.
    package func list(prefix: String) async throws -> RangeResult {
        try await range(RangeRequest(.prefix(prefix)))
    }

    /// Grants a lease with a store-chosen ID.
    package func grantLease(ttl: Int64) async throws -> Lease {
        try await grantLease(ttl: ttl, id: nil)
    }

    /// Puts `value` at `key` only if the key's mod revision is still `modRevision` (0: only if absent).
    /// - Returns: whether the write happened, and the store revision after it.
    package func compareAndSwap(
        _ key: String, expectModRevision modRevision: Revision, value: String, lease: LeaseID? = nil
    ) async throws -> (swapped: Bool, revision: Revision) {
        let k = Array(key.utf8)
        let result = try await txn(
            Txn(
                compare: [Compare(.key(k), .equal, .modRevision(modRevision))],
                success: [.put(PutRequest(key: k, value: Array(value.utf8), lease: lease))]
            )
        )
        return (result.succeeded, result.revision)
    }

    /// Watches every key under `prefix`.
    package func watch(prefix: String, from revision: Revision = 0, prevKV: Bool = false) -> WatchStream {
        watch(WatchRequest(.prefix(prefix), from: revision, prevKV: prevKV))
    }
}
