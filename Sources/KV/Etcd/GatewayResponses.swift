import Formats
import Platform

/// The `header` every etcd answer carries.
package struct ResponseHeader: Sendable, Hashable {
    package var clusterID: UInt64
    package var memberID: UInt64
    package var revision: Revision
    package var raftTerm: UInt64
    package init(clusterID: UInt64, memberID: UInt64, revision: Revision, raftTerm: UInt64) {
        self.clusterID = clusterID
        self.memberID = memberID
        self.revision = revision
        self.raftTerm = raftTerm
    }
}

/// etcd v3 gateway answers: encoded by the store server, decoded by `EtcdClient`.
/// Like etcd, fields holding default values (0, false, empty) are left out and int64s are strings.
package enum GatewayResponses {
    private static let kvFields: Set<String> = ["key", "create_revision", "mod_revision", "version", "value", "lease"]
    private static let headerFields: Set<String> = ["cluster_id", "member_id", "revision", "raft_term"]

    // etcd writes 64-bit integers as JSON strings.
    private static func int(_ v: Int64) -> JSONValue { .string(String(v)) }
    private static func uint(_ v: UInt64) -> JSONValue { .string(String(v)) }

    // MARK: Encoding (server)

    package static func encode(_ h: ResponseHeader, full: Bool = true) -> JSONValue {
        var m: [(String, JSONValue)] = []
        if full {
            m.append(("cluster_id", uint(h.clusterID)))
            m.append(("member_id", uint(h.memberID)))
        }
        if h.revision != 0 { m.append(("revision", int(h.revision))) }
        if full { m.append(("raft_term", uint(h.raftTerm))) }
        return .object(m)
    }

    package static func encode(_ kv: KeyValue) -> JSONValue {
        var m: [(String, JSONValue)] = [("key", .string(Base64.encode(kv.key)))]
        if kv.createRevision != 0 { m.append(("create_revision", int(kv.createRevision))) }
        if kv.modRevision != 0 { m.append(("mod_revision", int(kv.modRevision))) }
        if kv.version != 0 { m.append(("version", int(kv.version))) }
        if !kv.value.isEmpty { m.append(("value", .string(Base64.encode(kv.value)))) }
        if let lease = kv.lease, lease.rawValue != 0 { m.append(("lease", int(lease.rawValue))) }
        return .object(m)
    }

    package static func encode(_ r: RangeResult, header: JSONValue) -> JSONValue {
        var m: [(String, JSONValue)] = [("header", header)]
        if !r.kvs.isEmpty { m.append(("kvs", .array(r.kvs.map(encode)))) }
        if r.more { m.append(("more", .bool(true))) }
        if r.count != 0 { m.append(("count", int(Int64(r.count)))) }
        return .object(m)
    }

    package static func encode(_ p: PutResult, header: JSONValue) -> JSONValue {
        var m: [(String, JSONValue)] = [("header", header)]
        if let prev = p.prevKV { m.append(("prev_kv", encode(prev))) }
        return .object(m)
    }

    package static func encode(_ d: DeleteResult, header: JSONValue) -> JSONValue {
        var m: [(String, JSONValue)] = [("header", header)]
        if d.deleted != 0 { m.append(("deleted", int(d.deleted))) }
        if !d.prevKVs.isEmpty { m.append(("prev_kvs", .array(d.prevKVs.map(encode)))) }
        return .object(m)
    }

    /// A transaction answer; nested answers carry a header with only the revision, like etcd's.
    package static func encode(_ t: TxnResult, header: JSONValue) -> JSONValue {
        var m: [(String, JSONValue)] = [("header", header)]
        if t.succeeded { m.append(("succeeded", .bool(true))) }
        if !t.responses.isEmpty {
            let inner = encode(
                ResponseHeader(clusterID: 0, memberID: 0, revision: t.revision, raftTerm: 0), full: false)
            m.append(
                (
                    "responses",
                    .array(
                        t.responses.map { op in
                            switch op {
                            case .range(let r): .object([("response_range", encode(r, header: inner))])
                            case .put(let p): .object([("response_put", encode(p, header: inner))])
                            case .delete(let d): .object([("response_delete_range", encode(d, header: inner))])
                            case .txn(let t): .object([("response_txn", encode(t, header: inner))])
                            }
                        })
                ))
        }
        return .object(m)
    }

    package static func encode(_ event: WatchEvent) -> JSONValue {
        var m: [(String, JSONValue)] = []
        if event.kind == .delete { m.append(("type", .string("DELETE"))) }
        m.append(("kv", encode(event.kv)))
        if let prev = event.prevKV { m.append(("prev_kv", encode(prev))) }
        return .object(m)
    }

    /// One line of a watch stream: `{"result":{…}}`.
    package static func watchMessage(
        header: JSONValue, created: Bool = false, canceled: Bool = false, compactRevision: Revision = 0,
        cancelReason: String? = nil, events: [WatchEvent] = []
    ) -> JSONValue {
        var m: [(String, JSONValue)] = [("header", header)]
        if created { m.append(("created", .bool(true))) }
        if canceled { m.append(("canceled", .bool(true))) }
        if compactRevision != 0 { m.append(("compact_revision", int(compactRevision))) }
        if let cancelReason { m.append(("cancel_reason", .string(cancelReason))) }
        if !events.isEmpty { m.append(("events", .array(events.map(encode)))) }
        return .object([("result", .object(m))])
    }

    // MARK: Decoding (client)

    /// Reads a response object, tolerating fields newer etcd versions may add.
    private static func object(_ json: JSONValue, _ type: String) throws -> [String: JSONValue] {
        guard case .object(let members) = json else {
            throw KVError.protocolViolation("\(type) is a \(json.kindName), not an object")
        }
        var fields: [String: JSONValue] = [:]
        for (name, value) in members { fields[name] = value }
        return fields
    }

    private static func int64(_ v: JSONValue?, _ field: String) throws -> Int64 {
        switch v {
        case nil, .null?: return 0
        case .number(let n)?: if let i = Int64(n) { return i }
        case .string(let s)?: if let i = Int64(s) { return i }
        default: break
        }
        throw KVError.protocolViolation("field \(field) is not an int64")
    }

    private static func bytes(_ v: JSONValue?, _ field: String) throws -> [UInt8] {
        switch v {
        case nil, .null?: return []
        case .string(let s)?:
            do { return try Base64.decode(s) } catch { throw KVError.protocolViolation("field \(field): \(error)") }
        default: throw KVError.protocolViolation("field \(field) is not base64 text")
        }
    }

    private static func bool(_ v: JSONValue?) -> Bool {
        if case .bool(true)? = v { return true }
        return false
    }

    package static func decodeHeader(_ json: JSONValue?) throws -> ResponseHeader {
        guard let json else { return ResponseHeader(clusterID: 0, memberID: 0, revision: 0, raftTerm: 0) }
        let f = try object(json, "header")
        return ResponseHeader(
            clusterID: UInt64(bitPattern: try int64OrUInt(f["cluster_id"])),
            memberID: UInt64(bitPattern: try int64OrUInt(f["member_id"])),
            revision: try int64(f["revision"], "revision"),
            raftTerm: UInt64(bitPattern: try int64OrUInt(f["raft_term"])))
    }

    private static func int64OrUInt(_ v: JSONValue?) throws -> Int64 {
        let text: String
        switch v {
        case nil, .null?: return 0
        case .number(let n)?: text = n
        case .string(let s)?: text = s
        default: throw KVError.protocolViolation("an ID is not a number")
        }
        if let u = UInt64(text) { return Int64(bitPattern: u) }
        throw KVError.protocolViolation("an ID is not a uint64: \(text)")
    }

    package static func decodeKeyValue(_ json: JSONValue) throws -> KeyValue {
        let f = try object(json, "KeyValue")
        let lease = try int64(f["lease"], "lease")
        return KeyValue(
            key: try bytes(f["key"], "key"), value: try bytes(f["value"], "value"),
            createRevision: try int64(f["create_revision"], "create_revision"),
            modRevision: try int64(f["mod_revision"], "mod_revision"), version: try int64(f["version"], "version"),
            lease: lease != 0 ? LeaseID(lease) : nil)
    }

    private static func array(_ v: JSONValue?, _ field: String) throws -> [JSONValue] {
        switch v {
        case nil, .null?: return []
        case .array(let items)?: return items
        default: throw KVError.protocolViolation("field \(field) is not a list")
        }
    }

    package static func decodeRange(_ json: JSONValue) throws -> RangeResult {
        let f = try object(json, "RangeResponse")
        return RangeResult(
            kvs: try array(f["kvs"], "kvs").map(decodeKeyValue), count: Int(try int64(f["count"], "count")),
            more: bool(f["more"]), revision: try decodeHeader(f["header"]).revision)
    }

    package static func decodePut(_ json: JSONValue) throws -> PutResult {
        let f = try object(json, "PutResponse")
        return PutResult(
            revision: try decodeHeader(f["header"]).revision, prevKV: try f["prev_kv"].map(decodeKeyValue))
    }

    package static func decodeDelete(_ json: JSONValue) throws -> DeleteResult {
        let f = try object(json, "DeleteRangeResponse")
        return DeleteResult(
            revision: try decodeHeader(f["header"]).revision, deleted: try int64(f["deleted"], "deleted"),
            prevKVs: try array(f["prev_kvs"], "prev_kvs").map(decodeKeyValue))
    }

    package static func decodeTxn(_ json: JSONValue) throws -> TxnResult {
        let f = try object(json, "TxnResponse")
        let responses = try array(f["responses"], "responses").map { item -> TxnOpResult in
            let op = try object(item, "ResponseOp")
            if let r = op["response_range"] { return .range(try decodeRange(r)) }
            if let p = op["response_put"] { return .put(try decodePut(p)) }
            if let d = op["response_delete_range"] { return .delete(try decodeDelete(d)) }
            if let t = op["response_txn"] { return .txn(try decodeTxn(t)) }
            throw KVError.protocolViolation("a txn response holds an unknown operation")
        }
        return TxnResult(
            succeeded: bool(f["succeeded"]), responses: responses, revision: try decodeHeader(f["header"]).revision)
    }

    /// `LeaseGrantResponse`, or the `result` of a keepalive: ID and TTL (a keepalive without TTL means the lease is gone).
    package static func decodeLease(_ json: JSONValue) throws -> (id: LeaseID, ttl: Int64, error: String?) {
        let f = try object(json, "LeaseResponse")
        var error: String? = nil
        if case .string(let e)? = f["error"], !e.isEmpty { error = e }
        return (LeaseID(try int64(f["ID"], "ID")), try int64(f["TTL"], "TTL"), error)
    }

    package static func decodeTimeToLive(_ json: JSONValue) throws -> LeaseStatus {
        let f = try object(json, "LeaseTimeToLiveResponse")
        return LeaseStatus(
            id: LeaseID(try int64(f["ID"], "ID")), ttl: try int64(f["TTL"], "TTL"),
            grantedTTL: try int64(f["grantedTTL"], "grantedTTL"),
            keys: try array(f["keys"], "keys").map { try bytes($0, "keys") })
    }

    /// One parsed line of a watch stream.
    package struct WatchMessage: Sendable, Hashable {
        package var header: ResponseHeader
        package var created: Bool
        package var canceled: Bool
        package var compactRevision: Revision
        package var cancelReason: String
        package var events: [WatchEvent]
        /// Set when the line is an error body rather than a result.
        package var error: String?
    }

    package static func decodeWatchMessage(_ json: JSONValue) throws -> WatchMessage {
        let outer = try object(json, "WatchMessage")
        if let error = outer["error"], outer["result"] == nil {
            var text = "watch failed"
            if case .string(let e) = error { text = e }
            return WatchMessage(
                header: try decodeHeader(nil), created: false, canceled: true, compactRevision: 0, cancelReason: text,
                events: [], error: text)
        }
        guard let result = outer["result"] else { throw KVError.protocolViolation("watch message without result") }
        let f = try object(result, "WatchResponse")
        let events = try array(f["events"], "events").map { item -> WatchEvent in
            let e = try object(item, "Event")
            let isDelete: Bool
            switch e["type"] {
            case nil, .null?: isDelete = false
            case .string("PUT")?, .number("0")?: isDelete = false
            case .string("DELETE")?, .number("1")?: isDelete = true
            default: throw KVError.protocolViolation("unknown watch event type")
            }
            guard let kv = e["kv"] else { throw KVError.protocolViolation("watch event without kv") }
            return WatchEvent(
                kind: isDelete ? .delete : .put, kv: try decodeKeyValue(kv),
                prevKV: try e["prev_kv"].map(decodeKeyValue))
        }
        var reason = ""
        if case .string(let r)? = f["cancel_reason"] { reason = r }
        return WatchMessage(
            header: try decodeHeader(f["header"]), created: bool(f["created"]), canceled: bool(f["canceled"]),
            compactRevision: try int64(f["compact_revision"], "compact_revision"), cancelReason: reason, events: events,
            error: nil)
    }
}
