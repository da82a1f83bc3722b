import Platform

extension V2API {
    /// `DELETE /v2/keys/PATH`: a key (`prevValue`/`prevIndex`: compare-and-delete), or a directory with
    /// `dir=true` (empty only) or `recursive=true` (everything under it, in one revision).
    func delete(_ path: String, _ form: V2Form) async throws -> (Int, [UInt8]) {
        let index = self.index
        guard path != "/" else { throw V2Error(V2Error.rootReadOnly, cause: "/", index: index) }
        let prevIndex = try form.integer("prevIndex", code: V2Error.indexNaN, index: index)
        let prevValue = form["prevValue"]
        let recursive = form.flag("recursive")
        let dirWanted = form.flag("dir") || recursive
        let snapshot = try await snapshot(path, allChildren: false)
        if let file = snapshot.file {
            if prevValue != nil || prevIndex != nil {
                var causes: [String] = []
                if let prevValue, prevValue != file.valueString {
                    causes.append("[\(prevValue) != \(file.valueString)]")
                }
                if let prevIndex, prevIndex != file.modRevision {
                    causes.append("[\(prevIndex) != \(file.modRevision)]")
                }
                if !causes.isEmpty {
                    throw V2Error(V2Error.testFailed, cause: causes.joined(separator: " "), index: snapshot.revision)
                }
            }
            let result = try await store.txn(
                Txn(
                    compare: [Compare(.key(file.key), .equal, .modRevision(file.modRevision))],
                    success: [.delete(DeleteRequest(.key(file.key)))]))
            guard result.succeeded else {
                throw V2Error(V2Error.testFailed, cause: "\(path) changed while deleting; try again", index: self.index)
            }
            // The key's lease is left to run out (it holds no key now): revoking it here would make a watcher
            // report this delete as an expiry.
            let action = prevValue != nil || prevIndex != nil ? "compareAndDelete" : "delete"
            counters.add(action == "delete" ? "deleteSuccess" : "compareAndDeleteSuccess")
            var node = V2Node(file: file, key: path, expiry: nil)
            node.value = nil
            node.modifiedIndex = result.revision
            return (200, V2Node.answer(action, node, prev: V2Node(file: file, key: path, expiry: nil)))
        }
        guard snapshot.isDir else {
            throw V2Error(V2Error.keyNotFound, cause: await missingCause(path), index: snapshot.revision)
        }
        guard dirWanted else { throw V2Error(V2Error.notFile, cause: path, index: snapshot.revision) }
        if !snapshot.children.isEmpty && !recursive {
            throw V2Error(V2Error.dirNotEmpty, cause: path, index: snapshot.revision)
        }
        let deleted = try await store.delete(.prefix(V2Path.marker(path)))
        counters.add("deleteSuccess")
        var node = V2Node(dir: path, marker: snapshot.marker)
        node.modifiedIndex = deleted.revision
        return (200, V2Node.answer("delete", node, prev: V2Node(dir: path, marker: snapshot.marker)))
    }
}
