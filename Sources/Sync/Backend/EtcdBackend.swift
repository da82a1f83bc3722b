import KV

/// Keys from etcd or `router store` through any `KVStore` (an `EtcdClient` in production).
///
/// Matching is confd's etcdv3 backend's: a key `k` selects `k` itself and everything under `k/`,
/// not `k-other`; all keys are read at the revision of the first read.
package struct EtcdBackend: SyncBackend {
    let store: any KVStore

    package init(store: any KVStore) {
        self.store = store
    }

    /// Whether confd's etcd backend would return `key` for the requested `prefix`.
    package static func matches(_ key: String, _ prefix: String) -> Bool {
        key == prefix || key.hasPrefix(prefix.hasSuffix("/") ? prefix : prefix + "/")
    }

    package func read(_ keys: [String]) async throws -> KeyRead {
        var pairs: [String: String] = [:]
        var revision: Revision? = nil
        for key in keys {
            let result = try await store.range(RangeRequest(.prefix(key), revision: revision))
            if revision == nil { revision = result.revision }
            for kv in result.kvs {
                let name = kv.keyString
                if Self.matches(name, key) { pairs[name] = kv.valueString }
            }
        }
        if revision == nil {
            // No keys asked: still learn the revision, so a watch can start from it.
            revision = try await store.range(RangeRequest(.key("/"), countOnly: true)).revision
        }
        return KeyRead(pairs: pairs, revision: revision ?? 0)
    }

    package func watch(_ keys: [String], after revision: Revision) -> AsyncThrowingStream<BackendChange, any Error> {
        let (stream, continuation) = AsyncThrowingStream<BackendChange, any Error>.makeStream()
        let store = self.store
        let task = Task {
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for key in Set(keys) {
                        group.addTask {
                            for try await batch in store.watch(WatchRequest(.prefix(key), from: revision + 1)) {
                                var changes: [(key: String, value: String?)] = []
                                for event in batch.events where Self.matches(event.kv.keyString, key) {
                                    changes.append(
                                        (event.kv.keyString, event.kind == .put ? event.kv.valueString : nil))
                                }
                                let last = batch.events.last?.kv.modRevision ?? batch.revision
                                if !changes.isEmpty { continuation.yield(.events(changes, revision: last)) }
                            }
                            throw KVError.unavailable(endpoints: [], reason: "watch of \(key) ended")
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            } catch {
                continuation.finish(throwing: error)
                return
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    package func probe() async -> Bool {
        (try? await store.range(RangeRequest(.key("/"), countOnly: true))) != nil
    }
}
