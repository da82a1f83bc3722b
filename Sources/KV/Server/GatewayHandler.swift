import Formats
import HTTP
import Platform

/// Serves etcd's v3 JSON gateway subset over any `KVStore`, with etcd 3.4's shapes, errors and status codes.
package struct GatewayHandler: HTTPHandler {
    package struct Identity: Sendable {
        package var clusterID: UInt64
        package var memberID: UInt64
        package init(clusterID: UInt64, memberID: UInt64) {
            self.clusterID = clusterID
            self.memberID = memberID
        }
    }

    let store: any KVStore
    let identity: Identity
    let limits: GatewayLimits
    let metrics: @Sendable () -> String
    let currentRevision: @Sendable () -> Revision
    let log: Log
    let inFlight = InFlightCounter()

    package init(
        store: any KVStore, identity: Identity, limits: GatewayLimits = GatewayLimits(), log: Log,
        currentRevision: @escaping @Sendable () -> Revision, metrics: @escaping @Sendable () -> String
    ) {
        self.store = store
        self.identity = identity
        self.limits = limits
        self.log = log
        self.currentRevision = currentRevision
        self.metrics = metrics
    }

    private static let jsonHeaders = HTTPHeaders([("Content-Type", "application/json")])

    package func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        var path = request.head.path
        if path.hasPrefix("/v3beta/") { path = "/v3/" + path.dropFirst("/v3beta/".count) }
        switch path {
        case "/health":
            respond(responder, status: 200, json: .object([("health", .string("true"))]))
            return
        case "/version":
            respond(
                responder, status: 200,
                json: .object([("etcdserver", .string("3.4.23")), ("etcdcluster", .string("3.4.0"))]))
            return
        case "/metrics":
            let headers = HTTPHeaders([("Content-Type", "text/plain; version=0.0.4")])
            responder.respond(HTTPResponse(status: 200, headers: headers, body: Array(metrics().utf8)))
            return
        default: break
        }
        guard let route = Route(rawValue: path) else {
            fail(responder, GatewayError(.notFound, "Not Found: \(request.head.path)"))
            return
        }
        guard request.head.method == "POST" || request.head.method == "PUT" else {
            let error = GatewayError(.unimplemented, "Method Not Allowed: use POST for \(request.head.path)")
            responder.respond(HTTPResponse(status: 405, headers: Self.jsonHeaders, body: error.body))
            return
        }
        let json: JSONValue
        do {
            json = request.body.isEmpty ? .object([]) : try JSONParser.parse(request.body)
        } catch {
            fail(responder, GatewayError(.invalidArgument, "\(error)"))
            return
        }
        if route == .watch {
            watch(json, responder: responder)
            return
        }
        guard inFlight.enter(limit: limits.maxInFlight) else {
            fail(responder, GatewayLimits.tooManyRequests)
            return
        }
        Task {
            defer { inFlight.leave() }
            do {
                let answer = try await route.serve(json, handler: self)
                respond(responder, status: 200, json: answer, newline: route == .leaseKeepAlive)
            } catch let error as GatewayError {
                fail(responder, error)
            } catch let error as KVError {
                fail(responder, GatewayError(error))
            } catch {
                fail(responder, GatewayError(.internal, "\(error)"))
            }
        }
    }

    func header(_ revision: Revision? = nil) -> JSONValue {
        GatewayResponses.encode(
            ResponseHeader(
                clusterID: identity.clusterID, memberID: identity.memberID, revision: revision ?? currentRevision(),
                raftTerm: 1))
    }

    private func respond(_ responder: HTTPResponder, status: Int, json: JSONValue, newline: Bool = false) {
        var text = json.serialized
        if newline { text += "\n" }
        responder.respond(HTTPResponse(status: status, headers: Self.jsonHeaders, body: Array(text.utf8)))
    }

    private func fail(_ responder: HTTPResponder, _ error: GatewayError) {
        responder.respond(HTTPResponse(status: error.httpStatus, headers: Self.jsonHeaders, body: error.body))
    }

    /// Streams `{"result":…}` lines until the client goes away or the watch ends.
    private func watch(_ json: JSONValue, responder: HTTPResponder) {
        let request: WatchRequest
        do {
            request = try GatewayLeaseWatch.decodeWatch(json)
        } catch let error as GatewayError {
            // etcd answers 500 here; a malformed watch is the client's fault, so we say 400.
            fail(responder, error)
            return
        } catch {
            fail(responder, GatewayError(.invalidArgument, "\(error)"))
            return
        }
        let writer = responder.startStream(status: 200, headers: Self.jsonHeaders)
        let store = self.store
        let log = self.log
        let task = Task {
            write(writer, GatewayResponses.watchMessage(header: header(), created: true))
            do {
                for try await batch in store.watch(request) {
                    write(writer, GatewayResponses.watchMessage(header: header(batch.revision), events: batch.events))
                }
            } catch KVError.compacted(_, let compactRevision) {
                let bare = GatewayResponses.encode(
                    ResponseHeader(
                        clusterID: identity.clusterID, memberID: identity.memberID, revision: 0, raftTerm: 1))
                write(
                    writer,
                    GatewayResponses.watchMessage(header: bare, canceled: true, compactRevision: compactRevision))
            } catch {
                log.debug("watch ended", ["reason": "\(error)", "range": request.range.description])
                write(writer, GatewayResponses.watchMessage(header: header(), canceled: true, cancelReason: "\(error)"))
            }
            writer.finish()
        }
        writer.onClose { task.cancel() }
    }

    private func write(_ writer: HTTPBodyWriter, _ message: JSONValue) {
        writer.write(Array((message.serialized + "\n").utf8))
    }
}

/// The request/response endpoints of the gateway (watch streams are handled apart).
private enum Route: String {
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
        case .leaseGrant:
            let (ttl, id) = try GatewayLeaseWatch.decodeGrant(json)
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
