import Formats
import Platform

/// A v2 node (a key or a directory) as etcd 2 writes it.
struct V2Node {
    /// nil for the root, which etcd writes without a key.
    var key: String?
    var value: String?
    var dir = false
    var nodes: [V2Node]? = nil
    /// When the key's lease runs out, and the whole seconds left (rounded up, as etcd does).
    var expiry: (expiration: String, ttl: Int64)? = nil
    var modifiedIndex: Revision = 0
    var createdIndex: Revision = 0

    /// A key's node from its v3 form.
    init(file kv: KeyValue, key: String, expiry: (String, Int64)?) {
        self.key = key
        value = String(decoding: kv.value, as: UTF8.self)
        self.expiry = expiry
        modifiedIndex = kv.modRevision
        createdIndex = kv.createRevision
    }

    /// A directory's node; `marker` gives its indexes when it was made explicitly.
    init(dir key: String?, marker: KeyValue?, expiry: (String, Int64)? = nil) {
        self.key = key
        dir = true
        self.expiry = expiry
        modifiedIndex = marker?.modRevision ?? 0
        createdIndex = marker?.createRevision ?? 0
    }

    var json: JSONValue {
        var m: [(String, JSONValue)] = []
        if let key { m.append(("key", .string(key))) }
        if dir { m.append(("dir", .bool(true))) }
        if let value { m.append(("value", .string(value))) }
        if let expiry {
            m.append(("expiration", .string(expiry.expiration)))
            m.append(("ttl", .number(String(expiry.ttl))))
        }
        if let nodes, !nodes.isEmpty { m.append(("nodes", .array(nodes.map(\.json)))) }
        if modifiedIndex != 0 { m.append(("modifiedIndex", .number(String(modifiedIndex)))) }
        if createdIndex != 0 { m.append(("createdIndex", .number(String(createdIndex)))) }
        return .object(m)
    }

    /// `{"action":…,"node":…,"prevNode":…}`.
    static func answer(_ action: String, _ node: V2Node, prev: V2Node? = nil) -> [UInt8] {
        var m: [(String, JSONValue)] = [("action", .string(action)), ("node", node.json)]
        if let prev { m.append(("prevNode", prev.json)) }
        return Array((JSONValue.object(m).serialized + "\n").utf8)
    }
}

/// Wall-clock expiration times for v2's `expiration` field, computed without Foundation.
enum V2Time {
    /// RFC 3339 (UTC, milliseconds) of now + `remaining`.
    static func expiration(in remaining: Duration) -> String {
        let now = UTCTime.now()
        let nowMillis = epochMillis(now)
        let then =
            nowMillis + remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
        return civil(then).iso8601
    }

    /// Whole seconds left, rounded up like etcd's `ttl`.
    static func ttl(_ remaining: Duration) -> Int64 {
        let (seconds, atto) = remaining.components
        return max(0, seconds + (atto > 0 ? 1 : 0))
    }

    private static func epochMillis(_ t: UTCTime) -> Int64 {
        // Days from civil (Howard Hinnant's algorithm).
        let y = Int64(t.month <= 2 ? t.year - 1 : t.year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(t.month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(t.day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = days * 86_400 + Int64(t.hour) * 3600 + Int64(t.minute) * 60 + Int64(t.second)
        return seconds * 1000 + Int64(t.millisecond)
    }

    private static func civil(_ millis: Int64) -> UTCTime {
        let seconds = millis / 1000
        let days = seconds / 86_400
        let rest = seconds % 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return UTCTime(
            year: Int(year), month: Int(month), day: Int(day), hour: Int(rest / 3600), minute: Int(rest % 3600 / 60),
            second: Int(rest % 60), millisecond: Int(millis % 1000))
    }
}
