import KV
import Platform
import Synchronization
import TestSupport

/// A `MemoryStore` that can be told to fail every call, as a store that went away would.
final class FailingStore: KVStore {
    let inner: MemoryStore
    let failing = Mutex(false)
    let failedCalls = Mutex(0)
    private let watchers = Mutex<[AsyncThrowingStream<WatchBatch, any Error>.Continuation]>([])

    init() throws {
        inner = try MemoryStore.open(
            MemoryStore.Configuration(log: Log(component: "store", level: .error, sink: MemoryLogSink())))
    }

    private func check() throws {
        if failing.withLock({ $0 }) {
            failedCalls.withLock { $0 += 1 }
            throw KVError.unavailable(endpoints: ["test"], reason: "store is down")
        }
    }

    /// Ends every open watch with an error.
    func breakWatches() {
        for continuation in watchers.withLock({ $0 }) {
            continuation.finish(throwing: KVError.unavailable(endpoints: ["test"], reason: "store is down"))
        }
    }

    func range(_ request: RangeRequest) async throws -> RangeResult {
        try check()
        return try await inner.range(request)
    }
    func txn(_ txn: Txn) async throws -> TxnResult {
        try check()
        return try await inner.txn(txn)
    }
    func grantLease(ttl: Int64, id: LeaseID?) async throws -> Lease { try await inner.grantLease(ttl: ttl, id: id) }
    func keepAlive(_ id: LeaseID) async throws -> Int64 { try await inner.keepAlive(id) }
    func revoke(_ id: LeaseID) async throws { try await inner.revoke(id) }
    func timeToLive(_ id: LeaseID, keys: Bool) async throws -> LeaseStatus {
        try await inner.timeToLive(id, keys: keys)
    }
    func compact(_ revision: Revision) async throws { try await inner.compact(revision) }
    func watch(_ request: WatchRequest) -> WatchStream {
        let (stream, continuation) = WatchStream.makeStream()
        if failing.withLock({ $0 }) {
            failedCalls.withLock { $0 += 1 }
            continuation.finish(throwing: KVError.unavailable(endpoints: ["test"], reason: "store is down"))
            return stream
        }
        watchers.withLock { $0.append(continuation) }
        let upstream = inner.watch(request)
        let task = Task {
            do {
                for try await batch in upstream { continuation.yield(batch) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
