import Formats
import HTTP
import Platform

/// Serves etcd's v3 JSON gateway subset over any `KVStore`, with etcd 3.4's shapes, errors and status codes,
/// and hands `/v2/` to the v2 keys API when one is given.
package struct GatewayHandler: HTTPHandler {
    static let etcdVersion = "3.4.23"

    let store: any KVStore
    let member: MemberInfo
    let limits: GatewayLimits
    let metrics: @Sendable () -> String
    let currentRevision: @Sendable () -> Revision
    let stats: @Sendable () -> StoreStats?
    let log: Log
    let inFlight = InFlightCounter()
    /// Refuses a lease grant over the rate or the live-lease cap (shared with the v2 API's TTLs).
    let admitLease: @Sendable () throws -> Void
    /// The v2 keys API over the same keyspace (the embedded store only).
    let v2: (any HTTPHandler)?

    package init(
        store: any KVStore, member: MemberInfo, limits: GatewayLimits = GatewayLimits(), log: Log,
        v2: (any HTTPHandler)? = nil, admitLease: @escaping @Sendable () throws -> Void = {},
        stats: @escaping @Sendable () -> StoreStats? = { nil },
        currentRevision: @escaping @Sendable () -> Revision, metrics: @escaping @Sendable () -> String
    ) {
        self.store = store
        self.member = member
        self.limits = limits
        self.log = log
        self.v2 = v2
        self.admitLease = admitLease
        self.stats = stats
        self.currentRevision = currentRevision
        self.metrics = metrics
    }

    /// - Throws: `GatewayError` (`etcdserver: too many requests`) over the lease-grant rate or cap.
    package func admitLeaseGrant() throws { try admitLease() }

    static let jsonHeaders = HTTPHeaders([("Content-Type", "application/json")])

    package func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        var path = request.head.path
        if path.hasPrefix("/v2/"), let v2 {
            v2.handle(request, responder: responder)
            return
        }
        if path.hasPrefix("/v3beta/") { path = "/v3/" + path.dropFirst("/v3beta/".count) }
        switch path {
        case "/health":
            respond(responder, status: 200, json: .object([("health", .string("true"))]))
            return
        case "/version":
            respond(
                responder, status: 200,
                json: .object([("etcdserver", .string(Self.etcdVersion)), ("etcdcluster", .string("3.4.0"))]))
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
            let refusal = GatewayError(.invalidArgument, "\(error)")
            if route == .watch { refuseWatch(responder, refusal) } else { fail(responder, refusal) }
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
                clusterID: member.clusterID, memberID: member.memberID, revision: revision ?? currentRevision(),
                raftTerm: 1))
    }

    func respond(_ responder: HTTPResponder, status: Int, json: JSONValue, newline: Bool = false) {
        var text = json.serialized
        if newline { text += "\n" }
        responder.respond(HTTPResponse(status: status, headers: Self.jsonHeaders, body: Array(text.utf8)))
    }

    func fail(_ responder: HTTPResponder, _ error: GatewayError) {
        responder.respond(HTTPResponse(status: error.httpStatus, headers: Self.jsonHeaders, body: error.body))
    }

    /// Streams `{"result":…}` lines until the client goes away or the watch ends.
    private func watch(_ json: JSONValue, responder: HTTPResponder) {
        let request: WatchRequest
        do {
            request = try GatewayLeaseWatch.decodeWatch(json)
        } catch {
            // etcd answers 500 here; a malformed watch is the client's fault, so we say 400.
            refuseWatch(responder, error as? GatewayError ?? GatewayError(.invalidArgument, "\(error)"))
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
                        clusterID: member.clusterID, memberID: member.memberID, revision: 0, raftTerm: 1))
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

    /// A refused watch: the body ends with a newline so a client reading the stream line by line sees the
    /// error instead of waiting forever for the line to end.
    private func refuseWatch(_ responder: HTTPResponder, _ error: GatewayError) {
        responder.respond(HTTPResponse(status: error.httpStatus, headers: Self.jsonHeaders, body: error.body + [0x0A]))
    }

    private func write(_ writer: HTTPBodyWriter, _ message: JSONValue) {
        writer.write(Array((message.serialized + "\n").utf8))
    }
}
