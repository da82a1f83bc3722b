import Formats
import Platform

extension V2API {
    /// `PUT /v2/keys/PATH`: set, create (`prevExist=false`), update (`prevExist=true`), compare-and-swap
    /// (`prevValue`, `prevIndex`), a directory (`dir=true`), a TTL (`ttl`, `refresh=true`).
    func put(_ path: String, _ form: V2Form) async throws -> (Int, [UInt8]) {
        try await write(path, form, forceCreate: false)
    }

    /// `POST /v2/keys/DIR`: a new key in `DIR` named after the index it is created at, so names sort in
    /// creation order (etcd's in-order keys).
    func post(_ path: String, _ form: V2Form) async throws -> (Int, [UInt8]) {
        try await postQueue.run {
            let name = String(self.store.currentRevision + 1)
            let padded = String(repeating: "0", count: max(0, 20 - name.count)) + name
            return try await self.write((path == "/" ? "" : path) + "/" + padded, form, forceCreate: true)
        }
    }

    private func write(_ path: String, _ form: V2Form, forceCreate: Bool) async throws -> (Int, [UInt8]) {
        let index = self.index
        guard path != "/" else { throw V2Error(V2Error.rootReadOnly, cause: "/", index: index) }
        let isDir = form.flag("dir")
        let refresh = form.flag("refresh")
        let value = form["value"] ?? ""
        let ttl = try form.integer("ttl", code: V2Error.ttlNaN, index: index)
        let prevIndex = try form.integer("prevIndex", code: V2Error.indexNaN, index: index)
        let prevValue = form["prevValue"]
        if prevValue == "" { throw V2Error(V2Error.prevValueRequired, cause: "CompareAndSwap", index: index) }
        let prevExist: Bool? = forceCreate ? false : form["prevExist"].flatMap { Bool($0) }
        if refresh {
            if form["value"] != nil { throw V2Error(V2Error.refreshValue, cause: "", index: index) }
            if ttl == nil { throw V2Error(V2Error.refreshTTLRequired, cause: "", index: index) }
        }
        if let ttl, ttl <= 0 || ttl > MemoryStore.State.maxLeaseTTL {
            throw V2Error(
                V2Error.ttlNaN, cause: "ttl must be between 1 and \(MemoryStore.State.maxLeaseTTL)", index: index)
        }
        let size = path.utf8.count + value.utf8.count
        if size > limits.maxRequestBytes {
            throw V2Error(
                V2Error.invalidField,
                cause: "etcdserver: request is too large (\(size) bytes, limit \(limits.maxRequestBytes))",
                index: index, status: 413)
        }
        // Compare-and-put on the key's mod revision; a concurrent change to it retries from a fresh read.
        for _ in 0..<16 {
            let snapshot = try await snapshot(path, allChildren: false)
            if let ancestor = snapshot.fileAncestor {
                throw V2Error(V2Error.notDir, cause: ancestor.keyString, index: snapshot.revision)
            }
            let existing = isDir ? snapshot.marker : snapshot.file
            if isDir ? snapshot.file != nil : snapshot.isDir {
                throw V2Error(V2Error.notFile, cause: path, index: snapshot.revision)
            }
            if isDir && snapshot.isDir && prevExist != false && !refresh {
                throw V2Error(V2Error.notFile, cause: path, index: snapshot.revision)
            }
            let exists = isDir ? snapshot.isDir : existing != nil
            if prevExist == false && exists {
                throw V2Error(V2Error.nodeExist, cause: path, index: snapshot.revision)
            }
            if (prevExist == true || refresh || prevValue != nil || prevIndex != nil) && !exists {
                throw V2Error(V2Error.keyNotFound, cause: await missingCause(path), index: snapshot.revision)
            }
            if let current = existing, prevValue != nil || prevIndex != nil {
                var causes: [String] = []
                let currentValue = String(decoding: current.value, as: UTF8.self)
                if let prevValue, prevValue != currentValue { causes.append("[\(prevValue) != \(currentValue)]") }
                if let prevIndex, prevIndex != current.modRevision {
                    causes.append("[\(prevIndex) != \(current.modRevision)]")
                }
                if !causes.isEmpty {
                    throw V2Error(V2Error.testFailed, cause: causes.joined(separator: " "), index: snapshot.revision)
                }
            }
            let key = isDir ? V2Path.marker(path) : Array(path.utf8)
            var lease: LeaseID? = nil
            if let ttl {
                try admitLease()
                lease = try await store.grantLease(ttl: ttl, id: nil).id
            }
            var put = PutRequest(key: key, value: isDir ? [] : Array(value.utf8), lease: lease)
            if refresh, let current = existing { put.value = current.value }
            let result = try await store.txn(
                Txn(
                    compare: [Compare(.key(key), .equal, .modRevision(existing?.modRevision ?? 0))],
                    success: [.put(put)]))
            guard result.succeeded else {
                if let lease { try? await store.revoke(lease) }
                continue
            }
            if let old = existing?.lease, old != lease { await revokeIfUnused(old) }
            let action =
                prevValue != nil || prevIndex != nil
                ? "compareAndSwap" : prevExist == false ? "create" : prevExist == true ? "update" : "set"
            counters.add(
                ["compareAndSwap": "compareAndSwapSuccess", "create": "createSuccess", "update": "updateSuccess"][
                    action] ?? "setsSuccess")
            var stored = KeyValue(
                key: key, value: put.value, createRevision: existing?.createRevision ?? result.revision,
                modRevision: result.revision, version: (existing?.version ?? 0) + 1, lease: lease)
            if isDir { stored.value = [] }
            let expiry = self.expiries(of: [stored])[key]
            let node = isDir ? dirNode(path, stored, expiry) : V2Node(file: stored, key: path, expiry: expiry)
            let prev = existing.map { kv in
                isDir ? dirNode(path, kv, nil) : V2Node(file: kv, key: path, expiry: nil)
            }
            return (existing == nil ? 201 : 200, V2Node.answer(action, node, prev: prev))
        }
        throw V2Error(V2Error.testFailed, cause: "\(path) kept changing; try again", index: self.index)
    }

    func dirNode(_ path: String, _ marker: KeyValue, _ expiry: (String, Int64)?) -> V2Node {
        V2Node(dir: path, marker: marker, expiry: expiry)
    }

    /// A key's old lease goes when no key holds it any more, so rewriting a key with a TTL over and over
    /// (a TTL storm) leaves one lease per key rather than one per write.
    func revokeIfUnused(_ lease: LeaseID) async {
        guard let status = try? await store.timeToLive(lease, keys: true), status.keys.isEmpty else { return }
        try? await store.revoke(lease)
    }
}
