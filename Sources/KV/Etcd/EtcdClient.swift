import Formats
import HTTP
import Platform
import Synchronization

/// A `KVStore` over etcd's v3 JSON gateway: works against real etcd and against `router store`.
///
/// Every call has its own timeout and fails over to the next endpoint when one is down; watches resume
/// after a broken connection from the last seen revision + 1 and end with `KVError.compacted` when that
/// history is gone, so the caller can read everything again.
package final class EtcdClient: KVStore {
    package struct Configuration: Sendable {
        package var endpoints: [Endpoint]
        package var requestTimeout: Duration = .seconds(5)
        package var connectTimeout: Duration = .seconds(1)
        /// First and largest pause between attempts to re-open a broken watch.
        package var watchBackoff: (first: Duration, max: Duration) = (.milliseconds(50), .seconds(2))
        /// Batches a watch may hold that its consumer has not taken yet; beyond that the watch ends with an
        /// error naming the revision to watch again from, rather than growing memory (as `MemoryStore`'s do).
        package var watchBufferLimit = 1024
        /// Longest line of a watch stream; a longer one is a broken or hostile server.
        package var maxWatchLineBytes = 64 * 1024 * 1024

        package init(endpoints: [Endpoint]) { self.endpoints = endpoints }
    }

    let configuration: Configuration
    let httpClient: HTTPClient
    /// Index of the endpoint to try first; moves on when it fails.
    private let preferred = Mutex<Int>(0)
    let log: Log

    /// - Throws: `KVError.invalidRequest` when no endpoint is given.
    package init(configuration: Configuration, log: Log) throws {
        guard !configuration.endpoints.isEmpty else { throw KVError.invalidRequest("no store endpoint given") }
        self.configuration = configuration
        var http = HTTPClient.Configuration()
        http.connectTimeout = configuration.connectTimeout
        http.requestTimeout = configuration.requestTimeout
        self.httpClient = HTTPClient(configuration: http)
        self.log = log
    }

    /// Parses `--store` values (`http://127.0.0.1:2379`, comma-separated lists allowed).
    /// - Throws: `KVError.invalidRequest` naming the bad URL.
    package static func endpoints(from urls: [String]) throws -> [Endpoint] {
        try urls.flatMap { $0.split(separator: ",") }.map { url in
            do {
                return try Endpoint(url: String(url).trimmingSpaces)
            } catch {
                throw KVError.invalidRequest("bad store URL '\(url)': \(error)")
            }
        }
    }

    package func close() { httpClient.shutdown() }

    /// The endpoint calls go to first.
    package var currentEndpoint: Endpoint {
        let index = preferred.withLock { $0 }
        return configuration.endpoints[index % configuration.endpoints.count]
    }

    /// Moves calls on to the next endpoint, unless another call already did.
    func markEndpointFailed(_ endpoint: Endpoint) {
        preferred.withLock { index in
            let current = configuration.endpoints[index % configuration.endpoints.count]
            if current == endpoint { index = (index + 1) % configuration.endpoints.count }
        }
    }

    // MARK: Calls

    /// Posts one gateway request, trying each endpoint once from the preferred one.
    /// `idempotent` requests are also retried elsewhere after a timeout or a broken connection.
    func call(
        _ path: String, _ body: JSONValue, idempotent: Bool, asked: GatewayError.Asked = GatewayError.Asked()
    ) async throws -> JSONValue {
        let request = HTTPClientRequest(
            method: "POST", path: path, headers: HTTPHeaders([("Content-Type", "application/json")]),
            body: Array(body.serialized.utf8))
        var asked = asked
        asked.size = request.body.count
        var failures: [String] = []
        for _ in configuration.endpoints.indices {
            let endpoint = currentEndpoint
            let response: HTTPResponse
            do {
                response = try await httpClient.send(request, to: endpoint, timeout: configuration.requestTimeout)
            } catch let error as HTTPClientError {
                try Task.checkCancellation()
                failures.append("\(endpoint): \(error)")
                markEndpointFailed(endpoint)
                if error.nothingWasSent || idempotent {
                    // Debug only: callers log the state change once ("store lost"), not every retry.
                    log.debug(
                        "store endpoint failed, trying the next", ["endpoint": "\(endpoint)", "error": "\(error)"])
                    continue
                }
                if error.isTimeout { throw KVError.timeout("\(path) at \(endpoint)") }
                throw KVError.unavailable(endpoints: [endpoint.description], reason: "\(error)")
            }
            if response.status == 200 {
                do {
                    return try JSONParser.parse(response.body)
                } catch {
                    throw KVError.protocolViolation("\(path) at \(endpoint): \(error)")
                }
            }
            let gatewayError = Self.decodeError(response)
            if response.status == 503 && idempotent {
                failures.append("\(endpoint): \(gatewayError.message)")
                markEndpointFailed(endpoint)
                continue
            }
            throw gatewayError.kvError(status: response.status, asked: asked)
        }
        throw KVError.unavailable(
            endpoints: configuration.endpoints.map(\.description), reason: failures.last ?? "no endpoint answered")
    }

    private static func decodeError(_ response: HTTPResponse) -> GatewayError {
        if let json = try? JSONParser.parse(response.body),
            case .string(let message)? = json["message"] ?? json["error"]
        {
            var code = GatewayError.Code.unknown
            if case .number(let n)? = json["code"], let raw = Int(n), let known = GatewayError.Code(rawValue: raw) {
                code = known
            }
            return GatewayError(code, message)
        }
        let text = String(decoding: response.body.prefix(200), as: UTF8.self).trimmingSpaces
        return GatewayError(.unknown, "HTTP \(response.status)\(text.isEmpty ? "" : ": \(text)")")
    }

    // MARK: KVStore

    package func range(_ request: RangeRequest) async throws -> RangeResult {
        do {
            return try GatewayResponses.decodeRange(
                try await call(
                    "/v3/kv/range", GatewayRequests.encode(request), idempotent: true,
                    asked: GatewayError.Asked(revision: request.revision)))
        } catch KVError.compacted(let requested, _) {
            throw KVError.compacted(requested: requested, compactRevision: await compactRevision(of: request.range))
        }
    }

    package func txn(_ txn: Txn) async throws -> TxnResult {
        // Single operations use their own endpoints, as etcd clients do; transactions go whole.
        if txn.compare.isEmpty && txn.failure.isEmpty && txn.success.count == 1 {
            switch txn.success[0] {
            case .put(let put):
                let answer: PutResult
                answer = try GatewayResponses.decodePut(
                    try await call(
                        "/v3/kv/put", GatewayRequests.encode(put), idempotent: !put.prevKV,
                        asked: GatewayError.Asked(key: put.key, lease: put.lease)))
                return TxnResult(succeeded: true, responses: [.put(answer)], revision: answer.revision)
            case .delete(let delete):
                let answer = try GatewayResponses.decodeDelete(
                    try await call("/v3/kv/deleterange", GatewayRequests.encode(delete), idempotent: !delete.prevKV))
                return TxnResult(succeeded: true, responses: [.delete(answer)], revision: answer.revision)
            case .range(let range):
                let answer = try await self.range(range)
                return TxnResult(succeeded: true, responses: [.range(answer)], revision: answer.revision)
            case .txn: break
            }
        }
        return try GatewayResponses.decodeTxn(
            try await call("/v3/kv/txn", GatewayRequests.encode(txn), idempotent: false))
    }

    package func grantLease(ttl: Int64, id: LeaseID?) async throws -> Lease {
        let json = try await call(
            "/v3/lease/grant", GatewayLeaseWatch.encodeGrant(ttl: ttl, id: id), idempotent: id != nil,
            asked: GatewayError.Asked(lease: id))
        let (granted, grantedTTL, error) = try GatewayResponses.decodeLease(json)
        if let error { throw KVError.server(status: 200, code: 0, message: error) }
        return Lease(id: granted, ttl: grantedTTL)
    }

    package func keepAlive(_ id: LeaseID) async throws -> Int64 {
        let json = try await call("/v3/lease/keepalive", GatewayLeaseWatch.encodeID(id), idempotent: true)
        guard let result = json["result"] else { throw KVError.protocolViolation("keepalive answer without result") }
        let (_, ttl, _) = try GatewayResponses.decodeLease(result)
        // etcd answers a keepalive for a lease it no longer has with no TTL.
        guard ttl > 0 else { throw KVError.leaseNotFound(id) }
        return ttl
    }

    package func revoke(_ id: LeaseID) async throws {
        _ = try await call(
            "/v3/lease/revoke", GatewayLeaseWatch.encodeID(id), idempotent: true, asked: GatewayError.Asked(lease: id))
    }

    package func timeToLive(_ id: LeaseID, keys: Bool) async throws -> LeaseStatus {
        let json = try await call(
            "/v3/lease/timetolive", GatewayLeaseWatch.encodeTimeToLive(id, keys: keys), idempotent: true)
        let status = try GatewayResponses.decodeTimeToLive(json)
        guard status.ttl >= 0 else { throw KVError.leaseNotFound(id) }
        return status
    }

    package func compact(_ revision: Revision) async throws {
        _ = try await call(
            "/v3/kv/compaction", .object([("revision", .string(String(revision)))]), idempotent: true,
            asked: GatewayError.Asked(revision: revision))
    }

    package func watch(_ request: WatchRequest) -> WatchStream {
        let (stream, continuation) = WatchStream.makeStream(
            bufferingPolicy: .bufferingOldest(max(1, configuration.watchBufferLimit)))
        let task = Task { await self.runWatch(request, continuation) }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

extension HTTPClientError {
    /// The request never reached a server, so any call, even a non-idempotent write, may go elsewhere.
    var nothingWasSent: Bool {
        switch self {
        case .invalidURL, .unsupportedScheme, .resolveFailed, .connectFailed, .connectTimeout: true
        default: false
        }
    }

    var isTimeout: Bool {
        if case .requestTimeout = self { return true }
        return false
    }
}
