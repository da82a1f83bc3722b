import Formats
import HTTP
import Platform
import Synchronization

/// etcd's v2 API over the embedded store's one keyspace: `/v2/keys`, `/v2/members`, `/v2/machines`, `/v2/stats`.
///
/// v2 indexes are v3 revisions; TTLs are leases (one per key); directories are implied by `/` (see `V2Path`).
/// Writes obey the gateway's limits: key + value size, lease-grant rate and live-lease cap, response size.
package struct V2API: HTTPHandler {
    let store: MemoryStore
    let member: MemberInfo
    let limits: GatewayLimits
    let admitLease: @Sendable () throws -> Void
    let counters = V2Counters()
    /// In-order keys (POST) are named from the revision, so they are created one at a time.
    let postQueue = V2PostQueue()
    let log: Log

    package init(
        store: MemoryStore, member: MemberInfo, limits: GatewayLimits, log: Log,
        admitLease: @escaping @Sendable () throws -> Void
    ) {
        self.store = store
        self.member = member
        self.limits = limits
        self.log = log
        self.admitLease = admitLease
    }

    package func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        let path = request.head.path
        let method = request.head.method
        if path == "/v2/keys" || path.hasPrefix("/v2/keys/") {
            guard let raw = V2Path.percentDecoded(path.dropFirst("/v2/keys".count), form: false) else {
                respond(responder, V2Error(V2Error.invalidField, cause: "invalid escape in key", index: index))
                return
            }
            let key = V2Path.clean(raw)
            let form: V2Form
            do {
                form = try V2Form(query: request.head.query, body: request.body, index: index)
            } catch let error as V2Error {
                respond(responder, error)
                return
            } catch {
                respond(responder, V2Error(210, cause: "\(error)", index: index))
                return
            }
            if method == "GET" && form.flag("wait") {
                watch(key, form, responder: responder)
                return
            }
            Task {
                do {
                    let (status, body) = try await keys(method: method, key: key, form: form)
                    respond(responder, status: status, body: body)
                } catch let error as V2Error {
                    counters.failed(method, form)
                    respond(responder, error)
                } catch {
                    counters.failed(method, form)
                    respond(responder, V2API.error(error, index: index))
                }
            }
            return
        }
        switch (method, path) {
        case ("GET", "/v2/members"), ("GET", "/v2/members/"):
            respond(responder, status: 200, json: V2Cluster.members(self))
        case ("GET", "/v2/members/leader"): respond(responder, status: 200, json: V2Cluster.member(self))
        case ("GET", "/v2/machines"):
            let headers = HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")])
            responder.respond(
                HTTPResponse(
                    status: 200, headers: headers, body: Array(member.clientURLs.joined(separator: ", ").utf8)))
        case ("GET", "/v2/stats/self"): respond(responder, status: 200, json: V2Cluster.selfStats(self))
        case ("GET", "/v2/stats/store"): respond(responder, status: 200, json: counters.json)
        case ("GET", "/v2/stats/leader"): respond(responder, status: 200, json: V2Cluster.leaderStats(self))
        default:
            let text = "404 page not found\n"
            responder.respond(
                HTTPResponse(
                    status: 404, headers: HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]),
                    body: Array(text.utf8)))
        }
    }

    private func keys(method: String, key: String, form: V2Form) async throws -> (Int, [UInt8]) {
        switch method {
        case "GET", "HEAD": return try await get(key, form)
        case "PUT": return try await put(key, form)
        case "POST": return try await post(key, form)
        case "DELETE": return try await delete(key, form)
        default: throw V2Error(210, cause: "method \(method) is not allowed", index: index, status: 405)
        }
    }

    /// The store's index for headers and errors: its current revision.
    var index: Revision { store.currentRevision }

    var headers: HTTPHeaders {
        let index = String(self.index)
        return HTTPHeaders([
            ("Content-Type", "application/json"), ("X-Etcd-Cluster-Id", member.hexClusterID), ("X-Etcd-Index", index),
            ("X-Raft-Index", index), ("X-Raft-Term", "1"),
        ])
    }

    func respond(_ responder: HTTPResponder, status: Int, body: [UInt8]) {
        responder.respond(HTTPResponse(status: status, headers: headers, body: body))
    }

    func respond(_ responder: HTTPResponder, status: Int, json: JSONValue) {
        respond(responder, status: status, body: Array(json.serialized.utf8))
    }

    func respond(_ responder: HTTPResponder, _ error: V2Error) {
        respond(responder, status: error.status, body: error.body)
    }

    /// A store error in v2's shape: its etcd text as the cause.
    static func error(_ error: any Error, index: Revision) -> V2Error {
        switch error {
        case let error as V2Error: return error
        case let error as GatewayError:
            return V2Error(V2Error.raftInternal, cause: error.message, index: index, status: error.httpStatus)
        case let error as KVError:
            let gateway = GatewayError(error)
            return V2Error(V2Error.raftInternal, cause: gateway.message, index: index, status: gateway.httpStatus)
        default: return V2Error(V2Error.raftInternal, cause: "\(error)", index: index)
        }
    }
}

/// Serialises in-order key creation, so names follow creation order.
actor V2PostQueue {
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T { try await body() }
}

/// etcd's `/v2/stats/store` counters.
final class V2Counters: Sendable {
    static let names = [
        "getsSuccess", "getsFail", "setsSuccess", "setsFail", "deleteSuccess", "deleteFail", "updateSuccess",
        "updateFail", "createSuccess", "createFail", "compareAndSwapSuccess", "compareAndSwapFail",
        "compareAndDeleteSuccess", "compareAndDeleteFail", "expireCount", "watchers",
    ]
    private let counts = Mutex<[String: Int]>([:])

    func add(_ name: String, _ delta: Int = 1) { counts.withLock { $0[name, default: 0] += delta } }

    /// Counts a failure under the operation the request asked for.
    func failed(_ method: String, _ form: V2Form) {
        switch method {
        case "GET": add("getsFail")
        case "DELETE": add(form["prevValue"] != nil || form["prevIndex"] != nil ? "compareAndDeleteFail" : "deleteFail")
        default:
            if form["prevValue"] != nil || form["prevIndex"] != nil {
                add("compareAndSwapFail")
            } else if form["prevExist"] == "true" {
                add("updateFail")
            } else if form["prevExist"] == "false" || method == "POST" {
                add("createFail")
            } else {
                add("setsFail")
            }
        }
    }

    var json: JSONValue {
        let snapshot = counts.withLock { $0 }
        return .object(Self.names.map { ($0, .number(String(snapshot[$0] ?? 0))) })
    }
}
