import Formats
import Platform

/// etcd v3 gateway request messages: decoded by the store server, encoded by `EtcdClient`.
package enum GatewayRequests {
    private static let sortOrders = ["NONE", "ASCEND", "DESCEND"]
    private static let sortTargets = ["KEY", "VERSION", "CREATE", "MOD", "VALUE"]
    private static let compareTargets = ["VERSION", "CREATE", "MOD", "VALUE", "LEASE"]
    private static let compareResults = ["EQUAL", "GREATER", "LESS", "NOT_EQUAL"]
    private static let rangeFields: Set<String> = [
        "key", "range_end", "limit", "revision", "sort_order", "sort_target", "serializable", "keys_only",
        "count_only", "min_mod_revision", "max_mod_revision", "min_create_revision", "max_create_revision",
    ]
    private static let putFields: Set<String> = ["key", "value", "lease", "prev_kv", "ignore_value", "ignore_lease"]
    private static let deleteFields: Set<String> = ["key", "range_end", "prev_kv"]
    private static let txnFields: Set<String> = ["compare", "success", "failure"]
    private static let compareFields: Set<String> = [
        "result", "target", "key", "version", "create_revision", "mod_revision", "value", "lease", "range_end",
    ]
    private static let opFields: Set<String> = ["request_range", "request_put", "request_delete_range", "request_txn"]

    /// How a range's answer is ordered, beyond etcd's default ascending key order.
    package struct Sort: Sendable, Hashable {
        package enum Order: Int, Sendable { case none, ascend, descend }
        package enum Target: Int, Sendable { case key, version, create, mod, value }
        package var order: Order
        package var target: Target
        /// True when the store's natural key order already answers the request.
        package var isNatural: Bool { order == .none || (order == .ascend && target == .key) }
    }

    // MARK: Range

    /// - Throws: `GatewayError` for a missing key, bad field or unsupported option.
    package static func decodeRange(_ json: JSONValue) throws -> (RangeRequest, Sort) {
        let o = try GatewayObject(json, type: "etcdserverpb.RangeRequest", known: rangeFields)
        let key = try o.bytes("key")
        guard !key.isEmpty else { throw GatewayError(.invalidArgument, "etcdserver: key is not provided") }
        var filter = RevisionFilter()
        filter.minModRevision = try o.int64("min_mod_revision")
        filter.maxModRevision = try o.int64("max_mod_revision")
        filter.minCreateRevision = try o.int64("min_create_revision")
        filter.maxCreateRevision = try o.int64("max_create_revision")
        let limit = try o.int64("limit")
        guard limit >= 0 else { throw GatewayError(.invalidArgument, "etcdserver: limit must not be negative") }
        let revision = try o.int64("revision")
        var request = RangeRequest(
            KeyRange(key: key, rangeEnd: try o.bytes("range_end")),
            revision: revision > 0 ? revision : nil, limit: Int(clamping: limit),
            keysOnly: try o.bool("keys_only"), countOnly: try o.bool("count_only"))
        request.filter = filter
        let sort = Sort(
            order: Sort.Order(
                rawValue: try o.enumCase(
                    "sort_order", names: sortOrders, enumType: "etcdserverpb.RangeRequest_SortOrder"))
                ?? .none,
            target: Sort.Target(
                rawValue: try o.enumCase(
                    "sort_target", names: sortTargets, enumType: "etcdserverpb.RangeRequest_SortTarget")) ?? .key)
        return (request, sort)
    }

    package static func encode(_ r: RangeRequest) -> JSONValue {
        var m: [(String, JSONValue)] = [("key", .string(Base64.encode(r.range.start)))]
        if !r.range.rangeEnd.isEmpty { m.append(("range_end", .string(Base64.encode(r.range.rangeEnd)))) }
        if r.limit > 0 { m.append(("limit", .number(String(r.limit)))) }
        if let revision = r.revision { m.append(("revision", .number(String(revision)))) }
        if r.keysOnly { m.append(("keys_only", .bool(true))) }
        if r.countOnly { m.append(("count_only", .bool(true))) }
        let f = r.filter
        for (name, value) in [
            ("min_mod_revision", f.minModRevision), ("max_mod_revision", f.maxModRevision),
            ("min_create_revision", f.minCreateRevision), ("max_create_revision", f.maxCreateRevision),
        ] where value != 0 {
            m.append((name, .number(String(value))))
        }
        return .object(m)
    }

    // MARK: Put

    package static func decodePut(_ json: JSONValue) throws -> PutRequest {
        let o = try GatewayObject(json, type: "etcdserverpb.PutRequest", known: putFields)
        let key = try o.bytes("key")
        guard !key.isEmpty else { throw GatewayError(.invalidArgument, "etcdserver: key is not provided") }
        let lease = try o.int64("lease")
        return PutRequest(
            key: key, value: try o.bytes("value"), lease: lease != 0 ? LeaseID(lease) : nil,
            prevKV: try o.bool("prev_kv"), ignoreValue: try o.bool("ignore_value"),
            ignoreLease: try o.bool("ignore_lease"))
    }

    package static func encode(_ p: PutRequest) -> JSONValue {
        var m: [(String, JSONValue)] = [
            ("key", .string(Base64.encode(p.key))), ("value", .string(Base64.encode(p.value))),
        ]
        if let lease = p.lease { m.append(("lease", .number(String(lease.rawValue)))) }
        if p.prevKV { m.append(("prev_kv", .bool(true))) }
        if p.ignoreValue { m.append(("ignore_value", .bool(true))) }
        if p.ignoreLease { m.append(("ignore_lease", .bool(true))) }
        return .object(m)
    }

    // MARK: DeleteRange

    package static func decodeDelete(_ json: JSONValue) throws -> DeleteRequest {
        let o = try GatewayObject(json, type: "etcdserverpb.DeleteRangeRequest", known: deleteFields)
        let key = try o.bytes("key")
        guard !key.isEmpty else { throw GatewayError(.invalidArgument, "etcdserver: key is not provided") }
        return DeleteRequest(KeyRange(key: key, rangeEnd: try o.bytes("range_end")), prevKV: try o.bool("prev_kv"))
    }

    package static func encode(_ d: DeleteRequest) -> JSONValue {
        var m: [(String, JSONValue)] = [("key", .string(Base64.encode(d.range.start)))]
        if !d.range.rangeEnd.isEmpty { m.append(("range_end", .string(Base64.encode(d.range.rangeEnd)))) }
        if d.prevKV { m.append(("prev_kv", .bool(true))) }
        return .object(m)
    }

    // MARK: Txn

    /// etcd's `--max-txn-ops` default: the most operations one list of a transaction may hold.
    package static let maxTxnOps = 128
    /// The most compares and operations one transaction may hold in total, nested transactions included.
    /// Without it, 16 levels of 128 operations each would let one request ask for 128^16 of them.
    package static let maxTotalTxnOps = 1024

    /// Nested transactions are limited in depth so hostile input cannot exhaust the stack, and in total
    /// operations so it cannot exhaust memory or time.
    /// - Throws: `GatewayError` (`etcdserver: too many operations in txn request` past either cap).
    package static func decodeTxn(_ json: JSONValue) throws -> Txn {
        var budget = maxTotalTxnOps
        return try decodeTxn(json, depth: 0, budget: &budget)
    }

    private static func decodeTxn(_ json: JSONValue, depth: Int, budget: inout Int) throws -> Txn {
        guard depth < 16 else { throw GatewayError(.invalidArgument, "etcdserver: transaction nested too deeply") }
        let o = try GatewayObject(json, type: "etcdserverpb.TxnRequest", known: txnFields)
        let lists = (try o.array("compare"), try o.array("success"), try o.array("failure"))
        budget -= lists.0.count + lists.1.count + lists.2.count
        if lists.0.count > maxTxnOps || lists.1.count > maxTxnOps || lists.2.count > maxTxnOps || budget < 0 {
            throw GatewayError(.invalidArgument, "etcdserver: too many operations in txn request")
        }
        let compare = try lists.0.map(decodeCompare)
        var success: [TxnOp] = []
        for op in lists.1 { success.append(try decodeOp(op, depth: depth, budget: &budget)) }
        var failure: [TxnOp] = []
        for op in lists.2 { failure.append(try decodeOp(op, depth: depth, budget: &budget)) }
        return Txn(compare: compare, success: success, failure: failure)
    }

    private static func decodeCompare(_ json: JSONValue) throws -> Compare {
        let o = try GatewayObject(json, type: "etcdserverpb.Compare", known: compareFields)
        let key = try o.bytes("key")
        guard !key.isEmpty else { throw GatewayError(.invalidArgument, "etcdserver: key is not provided") }
        let result = try o.enumCase("result", names: compareResults, enumType: "etcdserverpb.Compare_CompareResult")
        let targetIndex = try o.enumCase(
            "target", names: compareTargets, enumType: "etcdserverpb.Compare_CompareTarget")
        let target: Compare.Target
        switch targetIndex {
        case 0: target = .version(try o.int64("version"))
        case 1: target = .createRevision(try o.int64("create_revision"))
        case 2: target = .modRevision(try o.int64("mod_revision"))
        case 3: target = .value(try o.bytes("value"))
        default:
            let lease = try o.int64("lease")
            target = .lease(lease != 0 ? LeaseID(lease) : nil)
        }
        let results: [Compare.Result] = [.equal, .greater, .less, .notEqual]
        return Compare(KeyRange(key: key, rangeEnd: try o.bytes("range_end")), results[result], target)
    }

    private static func decodeOp(_ json: JSONValue, depth: Int, budget: inout Int) throws -> TxnOp {
        _ = try GatewayObject(json, type: "etcdserverpb.RequestOp", known: opFields)  // rejects unknown fields
        guard case .object(let members) = json, members.count == 1, let (rawName, body) = members.first else {
            throw GatewayError(.invalidArgument, "etcdserver: each RequestOp needs exactly one request")
        }
        switch GatewayObject.protoName(rawName) {
        case "request_range":
            let (range, sort) = try decodeRange(body)
            guard sort.isNatural else {
                throw GatewayError(.invalidArgument, "sorting inside a txn is not supported by this store")
            }
            return .range(range)
        case "request_put": return .put(try decodePut(body))
        case "request_delete_range": return .delete(try decodeDelete(body))
        default: return .txn(try decodeTxn(body, depth: depth + 1, budget: &budget))
        }
    }

    package static func encode(_ t: Txn) -> JSONValue {
        var m: [(String, JSONValue)] = []
        if !t.compare.isEmpty { m.append(("compare", .array(t.compare.map(encode)))) }
        if !t.success.isEmpty { m.append(("success", .array(t.success.map(encode)))) }
        if !t.failure.isEmpty { m.append(("failure", .array(t.failure.map(encode)))) }
        return .object(m)
    }

    private static func encode(_ c: Compare) -> JSONValue {
        let result: String
        switch c.result {
        case .equal: result = "EQUAL"
        case .greater: result = "GREATER"
        case .less: result = "LESS"
        case .notEqual: result = "NOT_EQUAL"
        }
        var m: [(String, JSONValue)] = [("key", .string(Base64.encode(c.range.start))), ("result", .string(result))]
        if !c.range.rangeEnd.isEmpty { m.append(("range_end", .string(Base64.encode(c.range.rangeEnd)))) }
        switch c.target {
        case .version(let v): m += [("target", .string("VERSION")), ("version", .number(String(v)))]
        case .createRevision(let r): m += [("target", .string("CREATE")), ("create_revision", .number(String(r)))]
        case .modRevision(let r): m += [("target", .string("MOD")), ("mod_revision", .number(String(r)))]
        case .value(let v): m += [("target", .string("VALUE")), ("value", .string(Base64.encode(v)))]
        case .lease(let l): m += [("target", .string("LEASE")), ("lease", .number(String(l?.rawValue ?? 0)))]
        }
        return .object(m)
    }

    private static func encode(_ op: TxnOp) -> JSONValue {
        switch op {
        case .range(let r): .object([("request_range", encode(r))])
        case .put(let p): .object([("request_put", encode(p))])
        case .delete(let d): .object([("request_delete_range", encode(d))])
        case .txn(let t): .object([("request_txn", encode(t))])
        }
    }

    // MARK: Compaction

    package static func decodeCompaction(_ json: JSONValue) throws -> Revision {
        let o = try GatewayObject(json, type: "etcdserverpb.CompactionRequest", known: ["revision", "physical"])
        return try o.int64("revision")
    }
}
