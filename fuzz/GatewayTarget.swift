@testable import KV
import Dispatch
import Formats
import Platform

/// libFuzzer entry: a request body sent to the store's JSON gateway. Every decoder reads it; a request
/// that decodes must encode (as `EtcdClient` would send it) to JSON that decodes to the same request,
/// and is then run against an in-memory store, so the store's execution of hostile ranges, txns, lease
/// IDs and revisions is fuzzed too. Decoding errors and store errors are fine; traps are not.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzGateway(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let json = try? JSONParser.parse(bytes) else { return 0 }
    var work: [@Sendable (MemoryStore) async throws -> Void] = []

    if let (range, sort) = try? GatewayRequests.decodeRange(json) {
        check(range, GatewayRequests.encode(range)) { try GatewayRequests.decodeRange($0).0 }
        work.append { store in _ = try await RangeSorter.range(range, sort: sort, in: store) }
    }
    if let put = try? GatewayRequests.decodePut(json) {
        check(put, GatewayRequests.encode(put), GatewayRequests.decodePut)
        work.append { store in _ = try await store.put(put) }
    }
    if let delete = try? GatewayRequests.decodeDelete(json) {
        check(delete, GatewayRequests.encode(delete), GatewayRequests.decodeDelete)
        work.append { store in _ = try await store.delete(delete.range, prevKV: delete.prevKV) }
    }
    if let txn = try? GatewayRequests.decodeTxn(json) {
        check(txn, GatewayRequests.encode(txn)) { try GatewayRequests.decodeTxn($0) }
        work.append { store in _ = try await store.txn(txn) }
    }
    if let revision = try? GatewayRequests.decodeCompaction(json) {
        work.append { store in try await store.compact(revision) }
    }
    if let (ttl, id) = try? GatewayLeaseWatch.decodeGrant(json) {
        let again = try? GatewayLeaseWatch.decodeGrant(reparse(GatewayLeaseWatch.encodeGrant(ttl: ttl, id: id)))
        require(again?.ttl == ttl && again?.id == id, "lease grant did not survive encoding: \(ttl) \(String(describing: id))")
        work.append { store in _ = try await store.grantLease(ttl: ttl, id: id) }
    }
    if let id = try? GatewayLeaseWatch.decodeID(json, type: "etcdserverpb.LeaseRevokeRequest") {
        work.append { store in _ = try await store.keepAlive(id) }
        work.append { store in try await store.revoke(id) }
    }
    if let (id, keys) = try? GatewayLeaseWatch.decodeTimeToLive(json) {
        work.append { store in _ = try await store.timeToLive(id, keys: keys) }
    }
    if let watch = try? GatewayLeaseWatch.decodeWatch(json) {
        check(watch, GatewayLeaseWatch.encode(watch), GatewayLeaseWatch.decodeWatch)
        // Opening and dropping a watch exercises its range and start-revision checks.
        work.append { store in _ = store.watch(watch) }
    }
    guard !work.isEmpty else { return 0 }
    runOnStore(work)
    return 0
}

/// A store with a few keys and a lease, so ranges, compares and deletes find something.
private func seededStore() async throws -> MemoryStore {
    let store = try MemoryStore.open(
        MemoryStore.Configuration(log: Log(component: "fuzz", level: .error), fsync: false))
    let lease = try await store.grantLease(ttl: 60)
    _ = try await store.put("/services/web/a", "127.0.0.1:8080", lease: lease.id)
    _ = try await store.put("/services/web/b", "127.0.0.1:8081")
    _ = try await store.put("/services/web/a", "127.0.0.1:8082", lease: lease.id)
    _ = try await store.put("a", "")
    return store
}

/// Runs `work` in order on a fresh store, from the fuzzer's thread (not the cooperative pool).
private func runOnStore(_ work: [@Sendable (MemoryStore) async throws -> Void]) {
    let done = DispatchSemaphore(value: 0)
    Task {
        defer { done.signal() }
        guard let store = try? await seededStore() else { fatalError("could not open the in-memory store") }
        for step in work { try? await step(store) }
        store.close()
    }
    done.wait()
}

private func reparse(_ value: JSONValue) -> JSONValue {
    do {
        return try JSONParser.parse(Array(value.serialized.utf8))
    } catch {
        fatalError("an encoded request is not JSON: \(error): \(value.serialized)")
    }
}

/// `request`, encoded as a client sends it, must decode back to itself.
private func check<Request: Equatable>(
    _ request: Request, _ encoded: JSONValue, _ decode: (JSONValue) throws -> Request
) {
    let text = encoded.serialized
    do {
        let again = try decode(reparse(encoded))
        require(again == request, "decoded \(again), expected \(request), from \(text)")
    } catch {
        fatalError("an encoded request does not decode: \(error): \(text)")
    }
}

/// Like `precondition`, but the message survives `-O` (the fuzz build), so a crash report says what broke.
private func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
