import Formats
import Platform

/// Lease and watch request messages of etcd's gateway.
package enum GatewayLeaseWatch {
    private static let watchCreateFields: Set<String> = [
        "key", "range_end", "start_revision", "progress_notify", "filters", "prev_kv", "watch_id", "fragment",
    ]

    /// `LeaseGrantRequest`: TTL and an optional requested ID.
    package static func decodeGrant(_ json: JSONValue) throws -> (ttl: Int64, id: LeaseID?) {
        let o = try GatewayObject(json, type: "etcdserverpb.LeaseGrantRequest", known: ["TTL", "ID"])
        let id = try o.int64("ID")
        return (try o.int64("TTL"), id != 0 ? LeaseID(id) : nil)
    }

    package static func encodeGrant(ttl: Int64, id: LeaseID?) -> JSONValue {
        var m: [(String, JSONValue)] = [("TTL", .number(String(ttl)))]
        if let id { m.append(("ID", .number(String(id.rawValue)))) }
        return .object(m)
    }

    /// `LeaseKeepAliveRequest` / `LeaseRevokeRequest`: just an ID.
    package static func decodeID(_ json: JSONValue, type: String) throws -> LeaseID {
        let o = try GatewayObject(json, type: type, known: ["ID"])
        return LeaseID(try o.int64("ID"))
    }

    package static func encodeID(_ id: LeaseID) -> JSONValue { .object([("ID", .number(String(id.rawValue)))]) }

    /// `LeaseTimeToLiveRequest`.
    package static func decodeTimeToLive(_ json: JSONValue) throws -> (LeaseID, keys: Bool) {
        let o = try GatewayObject(json, type: "etcdserverpb.LeaseTimeToLiveRequest", known: ["ID", "keys"])
        return (LeaseID(try o.int64("ID")), try o.bool("keys"))
    }

    package static func encodeTimeToLive(_ id: LeaseID, keys: Bool) -> JSONValue {
        var m: [(String, JSONValue)] = [("ID", .number(String(id.rawValue)))]
        if keys { m.append(("keys", .bool(true))) }
        return .object(m)
    }

    /// `WatchRequest` carrying a `create_request` (the only kind a one-shot HTTP watch can use).
    package static func decodeWatch(_ json: JSONValue) throws -> WatchRequest {
        let o = try GatewayObject(
            json, type: "etcdserverpb.WatchRequest", known: ["create_request", "cancel_request", "progress_request"])
        guard
            let create = try o.object(
                "create_request", type: "etcdserverpb.WatchCreateRequest", known: watchCreateFields)
        else {
            throw GatewayError(.invalidArgument, "etcdserver: a watch over HTTP needs a create_request")
        }
        let key = try create.bytes("key")
        guard !key.isEmpty else { throw GatewayError(.invalidArgument, "etcdserver: key is not provided") }
        var filters: Set<String> = []
        for filter in try create.array("filters") {
            switch filter {
            case .string(let name) where name == "NOPUT" || name == "NODELETE": filters.insert(name)
            case .number(let n) where n == "0" || n == "1": filters.insert(n == "0" ? "NOPUT" : "NODELETE")
            default:
                throw GatewayError(
                    .invalidArgument,
                    "invalid value for enum type: \(filter.serialized) (field \"filters\" of etcdserverpb.WatchCreateRequest)"
                )
            }
        }
        let start = try create.int64("start_revision")
        guard start >= 0 else {
            throw GatewayError(.invalidArgument, "etcdserver: start_revision must not be negative")
        }
        return WatchRequest(
            KeyRange(key: key, rangeEnd: try create.bytes("range_end")), from: start,
            prevKV: try create.bool("prev_kv"),
            noPut: filters.contains("NOPUT"), noDelete: filters.contains("NODELETE"))
    }

    package static func encode(_ w: WatchRequest) -> JSONValue {
        var c: [(String, JSONValue)] = [("key", .string(Base64.encode(w.range.start)))]
        if !w.range.rangeEnd.isEmpty { c.append(("range_end", .string(Base64.encode(w.range.rangeEnd)))) }
        if w.startRevision > 0 { c.append(("start_revision", .number(String(w.startRevision)))) }
        if w.prevKV { c.append(("prev_kv", .bool(true))) }
        let filters = (w.noPut ? ["NOPUT"] : []) + (w.noDelete ? ["NODELETE"] : [])
        if !filters.isEmpty { c.append(("filters", .array(filters.map { .string($0) }))) }
        return .object([("create_request", .object(c))])
    }
}
