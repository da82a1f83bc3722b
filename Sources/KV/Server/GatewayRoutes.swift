import Formats
import Platform

/// The request/response endpoints of the gateway (watch streams are handled apart).
enum Route: String {
    case range = "/v3/kv/range"
    case put = "/v3/kv/put"
    case deleteRange = "/v3/kv/deleterange"
    case txn = "/v3/kv/txn"
    case compaction = "/v3/kv/compaction"
    case leaseGrant = "/v3/lease/grant"
    case leaseKeepAlive = "/v3/lease/keepalive"
    case leaseRevoke = "/v3/lease/revoke"
    case leaseRevokeAlias = "/v3/kv/lease/revoke"
    case leaseTimeToLive = "/v3/lease/timetolive"
    case leaseTimeToLiveAlias = "/v3/kv/lease/timetolive"
    case watch = "/v3/watch"
    case status = "/v3/maintenance/status"
    case memberList = "/v3/cluster/member/list"
    case lock = "/v3/lock/lock"
    case unlock = "/v3/lock/unlock"

    func serve(_ json: JSONValue, handler h: GatewayHandler) async throws -> JSONValue {
        let store = h.store
        switch self {
        case .range:
            let (request, sort) = try GatewayRequests.decodeRange(json)
            let result = try await RangeSorter.range(request, sort: sort, in: store)
            try h.checkResponse(ResponseSize.of(result))
            // The header says which revision the read was served at, as etcd's does.
            return GatewayResponses.encode(result, header: h.header(result.revision))
        case .put:
            let put = try GatewayRequests.decodePut(json)
            try h.checkSize(put.key.count + put.value.count)
            let result = try await store.txn(Txn(success: [.put(put)]))
            guard case .put(let answer)? = result.responses.first else {
                throw GatewayError(.internal, "no put result")
            }
            return GatewayResponses.encode(answer, header: h.header(result.revision))
        case .deleteRange:
            let result = try await store.txn(Txn(success: [.delete(try GatewayRequests.decodeDelete(json))]))
            guard case .delete(let answer)? = result.responses.first else {
                throw GatewayError(.internal, "no delete result")
            }
            return GatewayResponses.encode(answer, header: h.header(result.revision))
        case .txn:
            let txn = try GatewayRequests.decodeTxn(json)
            try h.checkSize(txn.payloadSize)
            let result = try await store.txn(txn)
            // Only a read-only answer may be refused: a write has happened and must be acknowledged.
            if !txn.writes { try h.checkResponse(ResponseSize.of(result)) }
            return GatewayResponses.encode(result, header: h.header(result.revision))
        case .compaction:
            try await store.compact(try GatewayRequests.decodeCompaction(json))
            return .object([("header", h.header())])
        case .status:
            _ = try GatewayObject(json, type: "etcdserverpb.StatusRequest", known: [])
            return GatewayCluster.status(h)
        case .memberList:
            _ = try GatewayObject(json, type: "etcdserverpb.MemberListRequest", known: ["linearizable"])
            return GatewayCluster.memberList(h)
        case .lock: return try await GatewayLock.lock(json, handler: h)
        case .unlock: return try await GatewayLock.unlock(json, handler: h)
        case .leaseGrant:
            let (ttl, id) = try GatewayLeaseWatch.decodeGrant(json)
            try h.admitLeaseGrant()
            // etcd raises TTLs below its minimum (2 s on a single member) rather than refusing them.
            let lease = try await store.grantLease(ttl: max(ttl, 2), id: id)
            return .object([
                ("header", h.header()), ("ID", .string(String(lease.id.rawValue))), ("TTL", .string(String(lease.ttl))),
            ])
        case .leaseKeepAlive:
            let id = try GatewayLeaseWatch.decodeID(json, type: "etcdserverpb.LeaseKeepAliveRequest")
            var result: [(String, JSONValue)] = [("header", h.header())]
            if id.rawValue != 0 { result.append(("ID", .string(String(id.rawValue)))) }
            do {
                let ttl = try await store.keepAlive(id)
                result.append(("TTL", .string(String(ttl))))
            } catch KVError.leaseNotFound {
                // etcd answers a keepalive for a missing lease with no TTL rather than an error.
            }
            return .object([("result", .object(result))])
        case .leaseRevoke, .leaseRevokeAlias:
            try await store.revoke(try GatewayLeaseWatch.decodeID(json, type: "etcdserverpb.LeaseRevokeRequest"))
            return .object([("header", h.header())])
        case .leaseTimeToLive, .leaseTimeToLiveAlias:
            let (id, keys) = try GatewayLeaseWatch.decodeTimeToLive(json)
            var result: [(String, JSONValue)] = [("header", h.header()), ("ID", .string(String(id.rawValue)))]
            do {
                let status = try await store.timeToLive(id, keys: keys)
                result.append(("TTL", .string(String(status.ttl))))
                result.append(("grantedTTL", .string(String(status.grantedTTL))))
                if keys && !status.keys.isEmpty {
                    result.append(("keys", .array(status.keys.map { .string(Base64.encode($0)) })))
                }
            } catch KVError.leaseNotFound {
                result.append(("TTL", .string("-1")))  // etcd's answer for an unknown or expired lease
            }
            return .object(result)
        case .watch:
            throw GatewayError(.internal, "watch is streamed, not served")
        }
    }
}

extension GatewayHandler {
    func checkSize(_ size: Int) throws {
        if size > limits.maxRequestBytes {
            throw KVError.requestTooLarge(size: size, limit: limits.maxRequestBytes)
        }
    }

    func checkResponse(_ bytes: Int) throws {
        if bytes > limits.maxResponseBytes { throw limits.responseTooLarge(bytes) }
    }
}

extension Txn {
    /// Whether any branch, nested ones included, puts or deletes.
    var writes: Bool {
        (success + failure).contains { op in
            switch op {
            case .put, .delete: true
            case .range: false
            case .txn(let t): t.writes
            }
        }
    }

    /// Bytes of keys and values the transaction writes, for the request size limit.
    var payloadSize: Int {
        (success + failure).reduce(0) { total, op in
            switch op {
            case .put(let p): total + p.key.count + p.value.count
            case .txn(let t): total + t.payloadSize
            default: total
            }
        }
    }
}
