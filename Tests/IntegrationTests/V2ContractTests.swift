import Formats
import Foundation
import HTTP
import KV
import KVTestSupport
import Platform
import TestSupport
import Testing

/// etcd's v2 API, the same assertions against `router store` and real etcd 3.4 started with `--enable-v2`:
/// through `etcdctl` in v2 mode and curl-shaped HTTP, as the tutorials drive it.
enum V2Contract {
    static func withStore(_ target: StoreUnderTest, _ body: (StoreFixture) async throws -> Void) async throws {
        let fixture = try await StoreFixture.start(target, enableV2: true)
        defer { fixture.stop() }
        try await body(fixture)
    }

    /// etcdctl's error lines end with the store's index, which differs between the two stores.
    static func withoutIndex(_ text: String) -> String {
        text.replacingOccurrences(of: #" \[[0-9]+\]"#, with: " [N]", options: .regularExpression)
    }

    static func etcdctl(_ arguments: String, _ store: StoreFixture) async throws -> (Int32, String) {
        let (status, output) = try await ShellCommand.etcdctlV2(arguments, endpoint: store.url)
        return (status, withoutIndex(output))
    }

    struct Answer {
        var status: Int
        var json: JSONValue
        var index: Int64?
    }

    static func http(_ store: StoreFixture, _ method: String, _ target: String, _ body: String = "") async throws
        -> Answer
    {
        let client = HTTPClient()
        defer { client.shutdown() }
        var headers = HTTPHeaders()
        if !body.isEmpty { headers = HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded")]) }
        let response = try await client.send(
            HTTPClientRequest(method: method, path: target, headers: headers, body: Array(body.utf8)),
            to: try Endpoint(url: store.url), timeout: .seconds(10))
        let json = (try? JSONParser.parse(response.body)) ?? .string(String(decoding: response.body, as: UTF8.self))
        return Answer(
            status: response.status, json: json, index: response.headers["X-Etcd-Index"].flatMap { Int64($0) })
    }

    static func string(_ json: JSONValue?, _ path: String...) -> String? {
        var current = json
        for name in path { current = current?[name] }
        switch current {
        case .string(let s)?: return s
        case .number(let n)?: return n
        case .bool(let b)?: return b ? "true" : "false"
        default: return nil
        }
    }

    // MARK: The checks

    static func seedCommandsRunVerbatim(_ target: StoreUnderTest) async throws {
        try await withStore(target) { store in
            let set = try await etcdctl(
                "set /services/web/example-app/example-app@1 '127.0.0.1:3000' --ttl 60", store)
            #expect(set.0 == 0)
            #expect(set.1 == "127.0.0.1:3000\n")
            let hostPort = store.url.dropFirst("http://".count)
            let curl = try await ShellCommand.run(
                "curl -s -L http://\(hostPort)/v2/keys/message -XPUT -d value=\"Hello world\"")
            #expect(curl.status == 0)
            let answer = try JSONParser.parse(Array(curl.output.utf8))
            #expect(string(answer, "action") == "set")
            #expect(string(answer, "node", "key") == "/message")
            #expect(string(answer, "node", "value") == "Hello world")
            #expect(try await etcdctl("get /message", store) == (0, "Hello world\n"))
            let got = try await http(store, "GET", "/v2/keys/services/web/example-app/example-app@1")
            #expect(got.status == 200)
            #expect(string(got.json, "node", "value") == "127.0.0.1:3000")
            let ttl = Int(string(got.json, "node", "ttl") ?? "") ?? 0
            #expect(ttl > 0 && ttl <= 60)
            // The expiration is wall-clock time about `ttl` seconds from now.
            let expiration = try #require(string(got.json, "node", "expiration"))
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            // etcd writes nanoseconds, we write milliseconds: compare at milliseconds.
            let millis = expiration.replacingOccurrences(
                of: #"(\.[0-9]{3})[0-9]*Z$"#, with: "$1Z", options: .regularExpression)
            let expires = try #require(formatter.date(from: millis), "unparsable expiration \(expiration)")
            #expect(abs(expires.timeIntervalSinceNow - Double(ttl)) < 2, "expiration \(expiration), ttl \(ttl)")
        }
    }

    static func etcdctlCommandsAnswerAlike(_ target: StoreUnderTest) async throws {
        try await withStore(target) { store in
            #expect(try await etcdctl("mk /c/mk first", store) == (0, "first\n"))
            #expect(try await etcdctl("mk /c/mk again", store) == (4, "Error:  105: Key already exists (/c/mk) [N]\n"))
            #expect(try await etcdctl("update /c/mk second", store) == (0, "second\n"))
            #expect(try await etcdctl("update /c/none x", store) == (4, "Error:  100: Key not found (/c/none) [N]\n"))
            #expect(try await etcdctl("mkdir /c/dir", store) == (0, ""))
            #expect(try await etcdctl("mkdir /c/dir", store) == (4, "Error:  105: Key already exists (/c/dir) [N]\n"))
            #expect(try await etcdctl("set /c/dir/leaf v", store) == (0, "v\n"))
            #expect(try await etcdctl("set /c/mk/below v", store) == (4, "Error:  104: Not a directory (/c/mk) [N]\n"))
            #expect(try await etcdctl("get /c/dir", store) == (1, "/c/dir: is a directory\n"))
            #expect(try await etcdctl("set /c/_hidden h", store) == (0, "h\n"))
            let listed = try await etcdctl("ls --recursive /c", store)
            #expect(listed.0 == 0)
            #expect(listed.1.split(separator: "\n").sorted() == ["/c/dir", "/c/dir/leaf", "/c/mk"])
            #expect(try await etcdctl("rm /c/mk", store) == (0, "PrevNode.Value: second\n"))
            #expect(try await etcdctl("rm /c/mk", store) == (4, "Error:  100: Key not found (/c/mk) [N]\n"))
            #expect(try await etcdctl("rmdir /c/dir", store) == (4, "Error:  108: Directory not empty (/c/dir) [N]\n"))
            #expect(try await etcdctl("rm --recursive /c/dir", store) == (0, ""))
            // etcd names the outermost missing component.
            #expect(try await etcdctl("get /c/dir/leaf", store) == (4, "Error:  100: Key not found (/c/dir) [N]\n"))
            #expect(try await etcdctl("get /zz/dir/leaf", store) == (4, "Error:  100: Key not found (/zz) [N]\n"))
        }
    }

    static func watchAndExecWatchSeeEachChange(_ target: StoreUnderTest) async throws {
        try await withStore(target) { store in
            let directory = try TemporaryDirectory("v2watch")
            defer { directory.remove() }
            let script = directory.file("record.sh")
            try #"echo "$ETCD_WATCH_ACTION $ETCD_WATCH_KEY $ETCD_WATCH_VALUE" >> "$1""#
                .write(toFile: script, atomically: true, encoding: .utf8)
            let log = directory.file("changes")
            // From the index the store is at now, so no change can slip in before the watch is open.
            let index = try #require(try await http(store, "GET", "/v2/keys/").index)
            async let watched = etcdctl("watch --after-index \(index) /w/key", store)
            let execWatch = try ChildProcess(
                "/bin/sh",
                [
                    "-c",
                    "ETCDCTL_API=2 ETCDCTL_ENDPOINTS=\(store.url) exec etcdctl exec-watch --after-index \(index) sh \(script) \(log) /w/key",
                ],
                logPath: directory.file("exec-watch.log"))
            defer { execWatch.stop() }
            #expect(try await etcdctl("set /w/key one", store) == (0, "one\n"))
            #expect(try await etcdctl("set /w/key two", store) == (0, "two\n"))
            #expect(try await etcdctl("rm /w/key", store) == (0, "PrevNode.Value: two\n"))
            #expect(try await watched == (0, "one\n"))
            let all = await eventually(timeout: .seconds(20)) {
                ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count >= 3
            }
            #expect(all, "exec-watch saw: \(execWatch.output)")
            let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
            #expect(lines == ["set /w/key one", "set /w/key two", "delete /w/key "])
        }
    }

    static func curlShapedRequestsAnswerAlike(_ target: StoreUnderTest) async throws {
        try await withStore(target) { store in
            let created = try await http(store, "PUT", "/v2/keys/h/a?prevExist=false", "value=1")
            #expect(created.status == 201)
            #expect(string(created.json, "action") == "create")
            let modified = try #require(Int64(string(created.json, "node", "modifiedIndex") ?? ""))
            #expect(created.index == modified)

            let exists = try await http(store, "PUT", "/v2/keys/h/a?prevExist=false", "value=2")
            #expect(exists.status == 412)
            #expect(string(exists.json, "errorCode") == "105")
            #expect(string(exists.json, "message") == "Key already exists")
            #expect(string(exists.json, "cause") == "/h/a")

            let stale = try await http(store, "PUT", "/v2/keys/h/a?prevValue=9", "value=2")
            #expect(stale.status == 412)
            #expect(string(stale.json, "errorCode") == "101")
            #expect(string(stale.json, "cause") == "[9 != 1]")
            let badIndex = try await http(store, "PUT", "/v2/keys/h/a?prevIndex=1", "value=2")
            #expect(string(badIndex.json, "cause") == "[1 != \(modified)]")
            let swapped = try await http(store, "PUT", "/v2/keys/h/a?prevValue=1&prevIndex=\(modified)", "value=2")
            #expect(swapped.status == 200)
            #expect(string(swapped.json, "action") == "compareAndSwap")
            #expect(string(swapped.json, "prevNode", "value") == "1")

            let missing = try await http(store, "GET", "/v2/keys/h/none")
            #expect(missing.status == 404)
            #expect(string(missing.json, "message") == "Key not found")
            let notFile = try await http(store, "PUT", "/v2/keys/h", "value=x")
            #expect(notFile.status == 403)
            #expect(string(notFile.json, "errorCode") == "102")

            let first = try await http(store, "POST", "/v2/keys/h/queue", "value=first")
            let second = try await http(store, "POST", "/v2/keys/h/queue", "value=second")
            #expect(first.status == 201)
            #expect(string(first.json, "action") == "create")
            let names = [first, second].compactMap { string($0.json, "node", "key") }
            #expect(names.count == 2 && names[0] < names[1] && names.allSatisfy { $0.count == "/h/queue/".count + 20 })
            let listing = try await http(store, "GET", "/v2/keys/h/queue?sorted=true")
            guard case .array(let nodes)? = listing.json["node"]?["nodes"] else {
                Issue.record("no nodes in \(listing.json)")
                return
            }
            #expect(nodes.compactMap { string($0, "value") } == ["first", "second"])

            let notEmpty = try await http(store, "DELETE", "/v2/keys/h?dir=true")
            #expect(notEmpty.status == 403)
            #expect(string(notEmpty.json, "errorCode") == "108")
            let cad = try await http(store, "DELETE", "/v2/keys/h/a?prevValue=2")
            #expect(string(cad.json, "action") == "compareAndDelete")

            let past = try await http(store, "GET", "/v2/keys/h/a?wait=true&waitIndex=\(modified)")
            #expect(string(past.json, "action") == "create" || string(past.json, "action") == "set")
            #expect(string(past.json, "node", "value") == "1")
            let rootWrite = try await http(store, "PUT", "/v2/keys/", "value=x")
            #expect(string(rootWrite.json, "errorCode") == "107")
        }
    }

    static func clusterEndpointsDescribeOneMember(_ target: StoreUnderTest) async throws {
        try await withStore(target) { store in
            let members = try await http(store, "GET", "/v2/members")
            guard case .array(let list)? = members.json["members"] else {
                Issue.record("no members in \(members.json)")
                return
            }
            #expect(list.count == 1)
            #expect(list.first?["clientURLs"] == .array([.string(store.url)]))
            let leader = try await http(store, "GET", "/v2/members/leader")
            #expect(string(leader.json, "id") == string(list.first, "id"))
            #expect(string(try await http(store, "GET", "/v2/stats/self").json, "state") == "StateLeader")
            #expect(string(try await http(store, "GET", "/v2/stats/store").json, "getsFail") != nil)
            let health = try await etcdctl("cluster-health", store)
            #expect(health.0 == 0)
            #expect(health.1.hasSuffix("cluster is healthy\n"))
        }
    }
}

@Suite(.serialized, .timeLimit(.minutes(3)), .enabled(if: ShellCommand.hasEtcdctl, "etcdctl is not installed"))
struct RouterStoreV2ContractTests {
    @Test func seedCommandsRunVerbatim() async throws { try await V2Contract.seedCommandsRunVerbatim(.routerStore) }
    @Test func etcdctlCommandsAnswerAlike() async throws {
        try await V2Contract.etcdctlCommandsAnswerAlike(.routerStore)
    }
    @Test func watchAndExecWatchSeeEachChange() async throws {
        try await V2Contract.watchAndExecWatchSeeEachChange(.routerStore)
    }
    @Test func curlShapedRequestsAnswerAlike() async throws {
        try await V2Contract.curlShapedRequestsAnswerAlike(.routerStore)
    }
    @Test func clusterEndpointsDescribeOneMember() async throws {
        try await V2Contract.clusterEndpointsDescribeOneMember(.routerStore)
    }
}

@Suite(
    .serialized, .timeLimit(.minutes(3)),
    // Debian's etcd-server and etcd-client; scripts/test installs them. Without them this half shows as skipped.
    .enabled(if: EtcdCluster.binary != nil && ShellCommand.hasEtcdctl, "etcd or etcdctl is not installed"))
struct EtcdV2ContractTests {
    @Test func seedCommandsRunVerbatim() async throws { try await V2Contract.seedCommandsRunVerbatim(.etcd) }
    @Test func etcdctlCommandsAnswerAlike() async throws { try await V2Contract.etcdctlCommandsAnswerAlike(.etcd) }
    @Test func watchAndExecWatchSeeEachChange() async throws {
        try await V2Contract.watchAndExecWatchSeeEachChange(.etcd)
    }
    @Test func curlShapedRequestsAnswerAlike() async throws {
        try await V2Contract.curlShapedRequestsAnswerAlike(.etcd)
    }
    @Test func clusterEndpointsDescribeOneMember() async throws {
        try await V2Contract.clusterEndpointsDescribeOneMember(.etcd)
    }
}

/// The embedded store's one keyspace: what v2 writes, v3 readers and watchers (routers, the announcer) see.
/// Real etcd keeps v2 and v3 apart, so this runs against `router store` only.
@Suite(.serialized, .timeLimit(.minutes(2)), .enabled(if: ShellCommand.hasEtcdctl, "etcdctl is not installed"))
struct SharedKeyspaceTests {
    @Test func aKeySetWithEtcdctlTTLAppearsInAV3WatchAndLeavesItWhenItsTTLRunsOut() async throws {
        try await V2Contract.withStore(.routerStore) { store in
            let start = try await store.client.list(prefix: "/services/web/").revision + 1
            let watch = store.client.watch(prefix: "/services/web/", from: start)
            let set = try await V2Contract.etcdctl(
                "set /services/web/ttl-app/ttl-app@1 '127.0.0.1:3001' --ttl 2", store)
            #expect(set == (0, "127.0.0.1:3001\n"))
            let events = try await KVContract.collect(watch, count: 2)
            #expect(events.map(\.kind) == [.put, .delete])
            #expect(
                events.map(\.kv.keyString) == ["/services/web/ttl-app/ttl-app@1", "/services/web/ttl-app/ttl-app@1"])
            #expect(events.first?.kv.valueString == "127.0.0.1:3001")
            #expect(events.first?.kv.lease != nil)
            #expect(try await store.client.get("/services/web/ttl-app/ttl-app@1") == nil)
        }
    }

    @Test func aV3KeyIsReadableThroughV2WithItsDirectoriesImplied() async throws {
        try await V2Contract.withStore(.routerStore) { store in
            try await store.client.put("/services/web/app/app@1", "127.0.0.1:3000")
            #expect(try await V2Contract.etcdctl("get /services/web/app/app@1", store) == (0, "127.0.0.1:3000\n"))
            #expect(try await V2Contract.etcdctl("ls /services/web", store) == (0, "/services/web/app\n"))
        }
    }

    @Test func aTTLStormRewritingOneKeyLeavesOneLease() async throws {
        try await V2Contract.withStore(.routerStore) { store in
            for i in 0..<50 {
                let answer = try await V2Contract.http(store, "PUT", "/v2/keys/storm/key?ttl=600", "value=\(i)")
                #expect(answer.status == 200 || answer.status == 201)
            }
            // Every rewrite revoked the lease it replaced: one key, one lease.
            let metrics = try await V2Contract.http(store, "GET", "/metrics")
            guard case .string(let text) = metrics.json else {
                Issue.record("metrics were not text")
                return
            }
            #expect(text.contains("etcd_debugging_lease_granted_total 1\n"))
        }
    }
}
