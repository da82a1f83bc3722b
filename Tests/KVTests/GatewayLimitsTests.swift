import Formats
import HTTP
import KV
import Platform
import Synchronization
import TestSupport
import Testing

/// No single client can make the gateway build an unbounded answer, decode unbounded work or queue
/// unbounded requests; each cap answers with etcd's error shape and the store keeps serving others.
@Suite(.timeLimit(.minutes(2)))
struct GatewayLimitsTests {
    static func errorBody(_ message: String, code: Int) -> String {
        JSONValue.object([("error", .string(message)), ("message", .string(message)), ("code", .number("\(code)"))])
            .serialized
    }

    /// A txn of `depth` nested levels, each with `width` puts plus the next level.
    private static func nestedTxn(depth: Int, width: Int) -> String {
        let put = #"{"request_put":{"key":"L2E=","value":"MQ=="}}"#
        var txn = #"{"success":[\#(Array(repeating: put, count: width).joined(separator: ","))]}"#
        for _ in 1..<depth {
            txn =
                #"{"success":[\#(Array(repeating: put, count: width - 1).joined(separator: ",")),{"request_txn":\#(txn)}]}"#
        }
        return txn
    }

    @Test func aTxnWithTooManyOperationsAcrossItsNestedTxnsIsRefused() throws {
        // 9 levels of 128 operations each: every list is within etcd's 128, the total is not.
        let hostile = try JSONParser.parse(Array(Self.nestedTxn(depth: 9, width: 128).utf8))
        #expect(throws: GatewayError(.invalidArgument, "etcdserver: too many operations in txn request")) {
            try GatewayRequests.decodeTxn(hostile)
        }
        let fine = try JSONParser.parse(Array(Self.nestedTxn(depth: 8, width: 128).utf8))
        #expect(try GatewayRequests.decodeTxn(fine).success.count == 128)
    }

    @Test func aRangeWhoseAnswerIsTooLargeIsRefusedAndSmallerReadsStillWork() async throws {
        var configuration = StoreServer.Configuration()
        configuration.port = 0
        configuration.threads = 1
        configuration.limits.maxResponseBytes = 20_000
        let server = try StoreServer.start(configuration, log: Log(component: "store", level: .error))
        defer { server.stop() }
        let value = String(repeating: "v", count: 1000)
        for i in 0..<30 { try await server.store.put("/big/\(i)", value) }
        let http = HTTPClient()
        defer { http.shutdown() }
        let endpoint = Endpoint(host: "127.0.0.1", port: server.port)
        let all = try await http.send(
            HTTPClientRequest(
                method: "POST", path: "/v3/kv/range", body: Array(#"{"key":"L2JpZy8=","range_end":"L2JpZzA="}"#.utf8)),
            to: endpoint, timeout: .seconds(5))
        #expect(all.status == 429)
        // 10 keys of 6 bytes and 20 of 7, each estimated as base64 of key and value plus 160 bytes of fields.
        #expect(
            String(decoding: all.body, as: UTF8.self)
                == Self.errorBody(
                    "etcdserver: response of about 45050 bytes exceeds the limit of 20000 bytes; "
                        + "read fewer keys (limit, keys_only, count_only or a narrower range)", code: 8))
        let page = try await http.send(
            HTTPClientRequest(
                method: "POST", path: "/v3/kv/range",
                body: Array(#"{"key":"L2JpZy8=","range_end":"L2JpZzA=","limit":5}"#.utf8)),
            to: endpoint, timeout: .seconds(5))
        #expect(page.status == 200)
    }

    @Test func requestsBeyondTheInFlightCapAreRefusedAtOnceAndTheOthersFinish() async throws {
        let gated = GatedStore(try MemoryStore.openInMemory())
        var limits = GatewayLimits()
        limits.maxInFlight = 2
        let handler = GatewayHandler(
            store: gated, member: MemberInfo(clusterID: 1, memberID: 2), limits: limits,
            log: Log(component: "store", level: .error), currentRevision: { 1 }, metrics: { "" })
        var http = HTTPServer.Configuration()
        http.port = 0
        http.threads = 1
        let server = HTTPServer(configuration: http, handler: handler, log: Log(component: "http", level: .error))
        let port = try server.start()
        defer { server.stop() }
        let client = HTTPClient()
        defer { client.shutdown() }
        let endpoint = Endpoint(host: "127.0.0.1", port: port)
        let put = HTTPClientRequest(
            method: "POST", path: "/v3/kv/put", body: Array(#"{"key":"L2E=","value":"MQ=="}"#.utf8))

        let held = (0..<2).map { _ in
            Task { try await client.send(put, to: endpoint, timeout: .seconds(30)).status }
        }
        await gated.waitUntilHeld(2)
        let refused = try await client.send(put, to: endpoint, timeout: .seconds(5))
        #expect(refused.status == 429)
        #expect(
            String(decoding: refused.body, as: UTF8.self) == Self.errorBody("etcdserver: too many requests", code: 8))
        gated.open()
        for task in held { #expect(try await task.value == 200) }
        #expect(try await client.send(put, to: endpoint, timeout: .seconds(5)).status == 200)
    }
}

extension GatewayLimitsTests {
    @Test func leaseGrantsOverTheRateAreRefusedForV3AndV2TTLsAlike() async throws {
        var configuration = StoreServer.Configuration()
        configuration.port = 0
        configuration.threads = 1
        let clock = ManualClock()  // never advanced: the bucket does not refill during the test
        configuration.clock = clock
        configuration.limits.leaseGrantBurst = 2
        configuration.limits.leaseGrantsPerSecond = 1
        let server = try StoreServer.start(configuration, log: Log(component: "store", level: .error))
        defer { server.stop() }
        let http = HTTPClient()
        defer { http.shutdown() }
        let endpoint = Endpoint(host: "127.0.0.1", port: server.port)
        func send(_ method: String, _ path: String, _ body: String) async throws -> (Int, String) {
            let response = try await http.send(
                HTTPClientRequest(method: method, path: path, body: Array(body.utf8)), to: endpoint,
                timeout: .seconds(5))
            return (response.status, String(decoding: response.body, as: UTF8.self))
        }
        #expect(try await send("POST", "/v3/lease/grant", #"{"TTL":30}"#).0 == 200)
        #expect(try await send("PUT", "/v2/keys/a?ttl=30", "value=1").0 == 201)
        #expect(
            try await send("POST", "/v3/lease/grant", #"{"TTL":30}"#)
                == (429, Self.errorBody("etcdserver: too many requests", code: 8)))
        let refused = try await send("PUT", "/v2/keys/b?ttl=30", "value=1")
        #expect(refused.0 == 429)
        #expect(
            refused.1
                == #"{"errorCode":300,"message":"Raft Internal Error","cause":"etcdserver: too many requests","index":2}"#
                + "\n")
        // Writes without a TTL need no lease and still go through.
        #expect(try await send("PUT", "/v2/keys/c", "value=1").0 == 201)
    }
}

/// A store whose transactions wait until the test opens the gate, so requests stay in flight on demand.
final class GatedStore: KVStore {
    private let inner: MemoryStore
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>], arrivals: Int)>(
        (false, [], 0))
    private let arrivals: AsyncStream<Int>
    private let arrived: AsyncStream<Int>.Continuation

    init(_ inner: MemoryStore) {
        self.inner = inner
        (arrivals, arrived) = AsyncStream<Int>.makeStream()
    }

    /// Returns once `count` transactions are waiting at the gate.
    func waitUntilHeld(_ count: Int) async {
        for await held in arrivals where held >= count { return }
    }

    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    func txn(_ txn: Txn) async throws -> TxnResult {
        await withCheckedContinuation { continuation in
            let (passNow, arrivals) = state.withLock { state -> (Bool, Int) in
                if state.open { return (true, state.arrivals) }
                state.waiting.append(continuation)
                state.arrivals += 1
                return (false, state.arrivals)
            }
            if passNow { continuation.resume() } else { arrived.yield(arrivals) }
        }
        return try await inner.txn(txn)
    }

    func range(_ request: RangeRequest) async throws -> RangeResult { try await inner.range(request) }
    func grantLease(ttl: Int64, id: LeaseID?) async throws -> Lease { try await inner.grantLease(ttl: ttl, id: id) }
    func keepAlive(_ id: LeaseID) async throws -> Int64 { try await inner.keepAlive(id) }
    func revoke(_ id: LeaseID) async throws { try await inner.revoke(id) }
    func timeToLive(_ id: LeaseID, keys: Bool) async throws -> LeaseStatus {
        try await inner.timeToLive(id, keys: keys)
    }
    func compact(_ revision: Revision) async throws { try await inner.compact(revision) }
    func watch(_ request: WatchRequest) -> WatchStream { inner.watch(request) }
}

extension MemoryStore {
    fileprivate static func openInMemory() throws -> MemoryStore {
        try MemoryStore.open(MemoryStore.Configuration(log: Log(component: "store", level: .error)))
    }
}
