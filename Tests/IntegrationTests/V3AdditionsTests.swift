import Formats
import HTTP
import KV
import KVTestSupport
import Platform
import Synchronization
import TestSupport
import Testing

/// The v3 calls third-party clients make beyond the KV basics, with etcd's exact answers, against both stores.
enum V3Additions {
    static func post(_ store: StoreFixture, _ path: String, _ body: String) async throws -> (Int, JSONValue) {
        let client = HTTPClient()
        defer { client.shutdown() }
        let response = try await client.send(
            HTTPClientRequest(method: "POST", path: path, body: Array(body.utf8)), to: try Endpoint(url: store.url),
            timeout: .seconds(30))
        return (response.status, try JSONParser.parse(response.body))
    }

    static func text(_ json: JSONValue?) -> String? {
        if case .string(let s)? = json { return s }
        return nil
    }

    static func b64(_ text: String) -> String { Base64.encode(Array(text.utf8)) }

    static func statusAndMemberListDescribeOneLeader(_ target: StoreUnderTest) async throws {
        try await V2Contract.withStore(target) { store in
            let (code, status) = try await post(store, "/v3/maintenance/status", "{}")
            #expect(code == 200)
            #expect(text(status["version"]) == "3.4.23")
            #expect(text(status["leader"]) == text(status["header"]?["member_id"]))
            let (listCode, list) = try await post(store, "/v3/cluster/member/list", "{}")
            #expect(listCode == 200)
            guard case .array(let members)? = list["members"] else {
                Issue.record("no members: \(list)")
                return
            }
            #expect(members.count == 1)
            #expect(text(members.first?["ID"]) == text(list["header"]?["member_id"]))
            #expect(members.first?["clientURLs"] == .array([.string(store.url)]))
        }
    }

    static func lockIsHeldUntilUnlockedAndThenPassesOn(_ target: StoreUnderTest) async throws {
        try await V2Contract.withStore(target) { store in
            let first = try await store.client.grantLease(ttl: 30)
            let second = try await store.client.grantLease(ttl: 30)
            let (code, held) = try await post(
                store, "/v3/lock/lock", #"{"name":"\#(b64("mylock"))","lease":\#(first.id.rawValue)}"#)
            #expect(code == 200)
            let heldKey = try #require(text(held["key"]))
            #expect(try Base64.decode(heldKey).starts(with: Array("mylock/".utf8)))
            let returned = Mutex(false)
            let waiter = Task {
                defer { returned.withLock { $0 = true } }
                return try await post(
                    store, "/v3/lock/lock", #"{"name":"\#(b64("mylock"))","lease":\#(second.id.rawValue)}"#)
            }
            // The second locker has queued its key; it must still be waiting, since the first holds the lock.
            let queued = await eventually { try await store.client.list(prefix: "mylock/").count == 2 }
            #expect(queued)
            #expect(returned.withLock { $0 } == false)
            let (unlockCode, _) = try await post(store, "/v3/lock/unlock", #"{"key":"\#(heldKey)"}"#)
            #expect(unlockCode == 200)
            let (secondCode, secondHeld) = try await waiter.value
            #expect(secondCode == 200)
            #expect(text(secondHeld["key"]) != heldKey)
            #expect(try await store.client.list(prefix: "mylock/").count == 1)
        }
    }

    static func watchFiltersAndRangeRevisionFiltersApply(_ target: StoreUnderTest) async throws {
        try await V2Contract.withStore(target) { store in
            let first = try await store.client.put("/f/a", "1")
            let second = try await store.client.put("/f/b", "2")
            var request = RangeRequest(.prefix("/f/"))
            request.filter.minModRevision = second
            let filtered = try await store.client.range(request)
            #expect(filtered.kvs.map(\.keyString) == ["/f/b"])
            #expect(filtered.count == 2)  // etcd counts before filtering
            request.filter = RevisionFilter()
            request.filter.maxCreateRevision = first
            #expect(try await store.client.range(request).kvs.map(\.keyString) == ["/f/a"])

            let watch = store.client.watch(WatchRequest(.prefix("/f/"), from: second + 1, noPut: true))
            try await store.client.put("/f/c", "3")
            try await store.client.delete("/f/a")
            let events = try await KVContract.collect(watch, count: 1)
            #expect(events.map(\.kind) == [.delete])
            #expect(events.map(\.kv.keyString) == ["/f/a"])
        }
    }

    static func errorsCarryEtcdsExactTexts(_ target: StoreUnderTest) async throws {
        try await V2Contract.withStore(target) { store in
            try await store.client.put("/e", "1")
            let lease = try await store.client.grantLease(ttl: 30)
            let cases: [(String, String, String)] = [
                (
                    "/v3/kv/put", #"{"key":"\#(b64("/e"))","value":"\#(b64("x"))","ignore_value":true}"#,
                    "etcdserver: value is provided"
                ),
                (
                    "/v3/kv/put", #"{"key":"\#(b64("/e"))","lease":\#(lease.id.rawValue),"ignore_lease":true}"#,
                    "etcdserver: lease is provided"
                ),
                (
                    "/v3/kv/txn",
                    #"{"success":[{"request_put":{"key":"\#(b64("/e"))"}},{"request_put":{"key":"\#(b64("/e"))"}}]}"#,
                    "etcdserver: duplicate key given in txn request"
                ),
            ]
            for (path, body, message) in cases {
                let (code, answer) = try await post(store, path, body)
                #expect(code == 400, "\(path) \(body)")
                #expect(text(answer["message"]) == message)
                #expect(text(answer["error"]) == message)
            }
        }
    }
}

@Suite(.serialized, .timeLimit(.minutes(2)))
struct RouterStoreV3AdditionsTests {
    @Test func statusAndMemberListDescribeOneLeader() async throws {
        try await V3Additions.statusAndMemberListDescribeOneLeader(.routerStore)
    }
    @Test func lockIsHeldUntilUnlockedAndThenPassesOn() async throws {
        try await V3Additions.lockIsHeldUntilUnlockedAndThenPassesOn(.routerStore)
    }
    @Test func watchFiltersAndRangeRevisionFiltersApply() async throws {
        try await V3Additions.watchFiltersAndRangeRevisionFiltersApply(.routerStore)
    }
    @Test func errorsCarryEtcdsExactTexts() async throws {
        try await V3Additions.errorsCarryEtcdsExactTexts(.routerStore)
    }
}

@Suite(
    .serialized, .timeLimit(.minutes(2)),
    // Debian's etcd-server; scripts/test installs it. Without it this half shows as skipped.
    .enabled(if: EtcdCluster.binary != nil, "etcd is not installed"))
struct EtcdV3AdditionsTests {
    @Test func statusAndMemberListDescribeOneLeader() async throws {
        try await V3Additions.statusAndMemberListDescribeOneLeader(.etcd)
    }
    @Test func lockIsHeldUntilUnlockedAndThenPassesOn() async throws {
        try await V3Additions.lockIsHeldUntilUnlockedAndThenPassesOn(.etcd)
    }
    @Test func watchFiltersAndRangeRevisionFiltersApply() async throws {
        try await V3Additions.watchFiltersAndRangeRevisionFiltersApply(.etcd)
    }
    @Test func errorsCarryEtcdsExactTexts() async throws { try await V3Additions.errorsCarryEtcdsExactTexts(.etcd) }
}
