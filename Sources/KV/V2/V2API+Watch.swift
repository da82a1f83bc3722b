import Formats
import HTTP
import Platform

extension V2API {
    /// `GET /v2/keys/PATH?wait=true[&waitIndex=N][&recursive=true]`: answers with the first change at or after
    /// `waitIndex` (the next one without it), read from the store's history and then its watch.
    ///
    /// Headers go out at once (as etcd's do); the body is the one event. A `waitIndex` older than the
    /// retained history gets etcd's 401 "outdated and cleared".
    func watch(_ path: String, _ form: V2Form, responder: HTTPResponder) {
        let current = index
        let waitIndex: Int64?
        do {
            waitIndex = try form.integer("waitIndex", code: V2Error.indexNaN, index: current)
        } catch let error as V2Error {
            respond(responder, error)
            return
        } catch {
            respond(responder, V2API.error(error, index: current))
            return
        }
        let recursive = form.flag("recursive")
        let exact = Array(path.utf8)
        let marker = V2Path.marker(path)
        let childPrefix = V2Path.childPrefix(path)
        // One v3 range covers the key, its marker and everything under it: [path, path + "0").
        let range =
            path == "/" ? KeyRange.prefix("/") : KeyRange(key: exact, rangeEnd: KeyRange.prefixEnd(marker) ?? [])
        let stream = store.watch(WatchRequest(range, from: waitIndex ?? 0, prevKV: true))
        let writer = responder.startStream(status: 200, headers: headers)
        counters.add("watchers")
        let task = Task {
            defer { counters.add("watchers", -1) }
            do {
                for try await batch in stream {
                    for event in batch.events {
                        let key = event.kv.key
                        let relevant: Bool
                        if recursive {
                            relevant = key == exact || (key.starts(with: childPrefix) && !hiddenBelow(key, childPrefix))
                        } else {
                            relevant = key == exact || key == marker
                        }
                        guard relevant else { continue }
                        writer.write(answer(for: event))
                        writer.finish()
                        return
                    }
                }
            } catch KVError.compacted(let requested, let compactRevision) {
                let error = V2Error(
                    V2Error.eventIndexCleared,
                    cause: "the requested history has been cleared [\(compactRevision)/\(requested)]", index: index)
                writer.write(error.body)
            } catch {
                writer.write(V2API.error(error, index: index).body)
            }
            writer.finish()
        }
        writer.onClose { task.cancel() }
    }

    /// Whether a name below the watched directory starts with `_` (etcd leaves hidden keys out of watches).
    private func hiddenBelow(_ key: [UInt8], _ prefix: [UInt8]) -> Bool {
        key.dropFirst(prefix.count).split(separator: UInt8(ascii: "/")).contains { $0.first == UInt8(ascii: "_") }
    }

    /// The v2 form of one v3 event: `set` for a put, `delete` or `expire` (its lease is gone) for a delete.
    private func answer(for event: WatchEvent) -> [UInt8] {
        let isMarker = event.kv.key.last == UInt8(ascii: "/")
        let path = String(decoding: isMarker ? event.kv.key.dropLast() : event.kv.key[...], as: UTF8.self)
        func node(_ kv: KeyValue, expiry: (String, Int64)?) -> V2Node {
            isMarker ? V2Node(dir: path, marker: kv, expiry: expiry) : V2Node(file: kv, key: path, expiry: expiry)
        }
        let prev = event.prevKV.map { node($0, expiry: nil) }
        switch event.kind {
        case .put:
            return V2Node.answer("set", node(event.kv, expiry: expiries(of: [event.kv])[event.kv.key]), prev: prev)
        case .delete:
            var deleted = V2Node(dir: isMarker ? path : nil, marker: nil)
            if !isMarker { deleted = V2Node(file: event.kv, key: path, expiry: nil) }
            deleted.key = path
            deleted.value = nil
            deleted.modifiedIndex = event.kv.modRevision
            deleted.createdIndex = event.prevKV?.createRevision ?? 0
            let expired = event.prevKV?.lease.map { store.remaining([$0]).isEmpty } ?? false
            if expired { counters.add("expireCount") }
            return V2Node.answer(expired ? "expire" : "delete", deleted, prev: prev)
        }
    }
}
