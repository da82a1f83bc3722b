import Formats
import Platform

/// etcd's lock service (`/v3/lock/lock`, `/v3/lock/unlock`) on leases, as etcd's `concurrency.Mutex` does it:
/// the lock is the key `name/<lease in hex>`; the holder is the key under `name/` created first, and a waiter
/// waits for every older key to be deleted (unlocked, revoked or expired).
enum GatewayLock {
    /// The lease a lock without one gets, as etcd's lock service creates a 60 s session.
    static let sessionTTL: Int64 = 60

    static func lock(_ json: JSONValue, handler h: GatewayHandler) async throws -> JSONValue {
        let o = try GatewayObject(json, type: "v3lockpb.LockRequest", known: ["name", "lease"])
        let name = try o.bytes("name")
        guard !name.isEmpty else { throw GatewayError(.invalidArgument, "etcdserver: key is not provided") }
        var lease = LeaseID(try o.int64("lease"))
        if lease.rawValue == 0 {
            try h.admitLeaseGrant()
            lease = try await h.store.grantLease(ttl: sessionTTL, id: nil).id
        }
        let prefix = name + Array("/".utf8)
        let key = prefix + Array(String(UInt64(bitPattern: lease.rawValue), radix: 16).utf8)
        let created = try await h.store.txn(
            Txn(
                compare: [Compare(.key(key), .equal, .createRevision(0))],
                success: [.put(PutRequest(key: key, value: [], lease: lease))],
                failure: [.range(RangeRequest(.key(key)))]))
        var mine = created.revision
        if !created.succeeded, case .range(let existing)? = created.responses.first, let kv = existing.kvs.first {
            mine = kv.createRevision
        }
        try await waitForOlder(than: mine, under: prefix, store: h.store)
        return .object([("header", h.header()), ("key", .string(Base64.encode(key)))])
    }

    static func unlock(_ json: JSONValue, handler h: GatewayHandler) async throws -> JSONValue {
        let o = try GatewayObject(json, type: "v3lockpb.UnlockRequest", known: ["key"])
        let key = try o.bytes("key")
        guard !key.isEmpty else { throw GatewayError(.unknown, "etcdserver: key is not provided") }
        let result = try await h.store.delete(.key(key))
        return .object([("header", h.header(result.revision))])
    }

    /// Returns once no key under `prefix` was created before `revision`.
    private static func waitForOlder(than revision: Revision, under prefix: [UInt8], store: any KVStore)
        async throws
    {
        while true {
            var older = RangeRequest(.prefix(prefix))
            older.filter.maxCreateRevision = revision - 1
            let waiting = try await store.range(older)
            guard let newest = waiting.kvs.max(by: { $0.createRevision < $1.createRevision }) else { return }
            var request = WatchRequest(.key(newest.key), from: waiting.revision + 1)
            request.noPut = true
            for try await batch in store.watch(request) where !batch.events.isEmpty { break }
        }
    }
}
