import Formats
import Platform

/// What the keyspace holds at and around one v2 path, read in one transaction.
struct V2Snapshot {
    /// The v3 key at the path itself: a v2 file.
    var file: KeyValue?
    /// The marker of an explicit directory at the path.
    var marker: KeyValue?
    /// Keys under the path (marker excluded); all of them, or just enough to know whether there are any.
    var children: [KeyValue]
    /// The nearest ancestor that is a file, which makes the path unreachable (v2: "Not a directory").
    var fileAncestor: KeyValue?
    var revision: Revision

    var isDir: Bool { marker != nil || !children.isEmpty }
    var exists: Bool { file != nil || isDir }
}

extension V2API {
    /// Plain reads at one revision, not a read-only transaction: a transaction would wait for every write
    /// queued before it to be durable, costing a second group commit per v2 write. The write that follows
    /// compares the key's mod revision, so a change after these reads is caught there.
    func snapshot(_ path: String, allChildren: Bool) async throws -> V2Snapshot {
        let isRoot = path == "/"
        let ancestors = V2Path.ancestors(of: path)
        var requests = [RangeRequest(.prefix(V2Path.childPrefix(path)), limit: allChildren ? 0 : 2)]
        if !isRoot { requests.append(RangeRequest(.key(path))) }
        requests += ancestors.map { RangeRequest(.key($0)) }
        let results = try await store.ranges(requests)
        let marker = isRoot ? nil : V2Path.marker(path)
        var snapshot = V2Snapshot(
            file: nil, marker: nil, children: [], fileAncestor: nil, revision: results[0].revision)
        for kv in results[0].kvs {
            if kv.key == marker { snapshot.marker = kv } else { snapshot.children.append(kv) }
        }
        if !isRoot { snapshot.file = results[1].kvs.first }
        snapshot.fileAncestor = results.dropFirst(isRoot ? 1 : 2).lazy.compactMap(\.kvs.first).first
        return snapshot
    }

    func get(_ path: String, _ form: V2Form) async throws -> (Int, [UInt8]) {
        let recursive = form.flag("recursive")
        let snapshot = try await snapshot(path, allChildren: true)
        let size = ResponseSize.of(RangeResult(kvs: snapshot.children, count: 0, more: false, revision: 0))
        if recursive, size > limits.maxResponseBytes {
            throw V2Error(
                V2Error.raftInternal, cause: limits.responseTooLarge(size).message, index: snapshot.revision,
                status: 429)
        }
        let all = snapshot.children + [snapshot.file, snapshot.marker].compactMap { $0 }
        let expiries = self.expiries(of: all)
        let node: V2Node
        if let file = snapshot.file {
            node = V2Node(file: file, key: path, expiry: expiries[file.key])
        } else if path == "/" || snapshot.isDir {
            var dir = V2Node(dir: path == "/" ? nil : path, marker: snapshot.marker)
            if let marker = snapshot.marker { dir.expiry = expiries[marker.key] }
            dir.nodes = tree(path, snapshot.children, recursive: recursive, expiries: expiries)
            node = dir
        } else {
            throw V2Error(V2Error.keyNotFound, cause: await missingCause(path), index: snapshot.revision)
        }
        counters.add("getsSuccess")
        return (200, V2Node.answer("get", node))
    }

    /// The nodes directly under `path` (and, when `recursive`, theirs), sorted by name, hidden names left out.
    func tree(_ path: String, _ kvs: [KeyValue], recursive: Bool, expiries: [[UInt8]: (String, Int64)]) -> [V2Node] {
        let prefixLength = V2Path.childPrefix(path).count
        var files: [Substring: KeyValue] = [:]
        var markers: [Substring: KeyValue] = [:]
        var below: [Substring: [KeyValue]] = [:]
        for kv in kvs {
            let rest = String(decoding: kv.key.dropFirst(prefixLength), as: UTF8.self)[...]
            guard let name = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first,
                !name.isEmpty
            else { continue }
            if name.endIndex == rest.endIndex {
                files[name] = kv
            } else if rest.index(after: name.endIndex) == rest.endIndex {
                markers[name] = kv
            } else {
                below[name, default: []].append(kv)
            }
        }
        let names = Set(files.keys).union(markers.keys).union(below.keys).filter { !V2Path.isHidden($0) }
        let base = path == "/" ? "" : path
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { name in
            let childPath = base + "/" + name
            if let file = files[name] { return V2Node(file: file, key: childPath, expiry: expiries[file.key]) }
            var dir = V2Node(dir: childPath, marker: markers[name])
            if let marker = markers[name] { dir.expiry = expiries[marker.key] }
            if recursive { dir.nodes = tree(childPath, below[name] ?? [], recursive: true, expiries: expiries) }
            return dir
        }
    }

    /// What etcd names in a "Key not found": the outermost missing component of `path`.
    func missingCause(_ path: String) async -> String {
        for ancestor in V2Path.ancestors(of: path) {
            let file = try? await store.range(RangeRequest(.key(ancestor), countOnly: true)).count
            let below = try? await store.range(RangeRequest(.prefix(V2Path.marker(ancestor)), countOnly: true)).count
            if file == 0 && below == 0 { return ancestor }
        }
        return path
    }

    /// v2's `expiration` and `ttl` for every key that has a lease.
    func expiries(of kvs: [KeyValue]) -> [[UInt8]: (String, Int64)] {
        let leases = Set(kvs.compactMap(\.lease))
        guard !leases.isEmpty else { return [:] }
        let remaining = store.remaining(leases)
        var result: [[UInt8]: (String, Int64)] = [:]
        for kv in kvs {
            guard let lease = kv.lease, let left = remaining[lease] else { continue }
            result[kv.key] = (V2Time.expiration(in: left), V2Time.ttl(left))
        }
        return result
    }
}
