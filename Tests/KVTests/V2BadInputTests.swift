import HTTP
import KV
import Platform
import TestSupport
import Testing

/// Hostile v2 requests get etcd 2's error shape and one clear cause, never a crash; the store keeps serving.
@Suite(.timeLimit(.minutes(2)))
struct V2BadInputTests {
    private static func body(_ code: Int, _ message: String, _ cause: String, index: Int) -> String {
        #"{"errorCode":\#(code),"message":"\#(message)","cause":"\#(cause)","index":\#(index)}"# + "\n"
    }

    @Test(arguments: [
        (
            "PUT", "/v2/keys/a?ttl=soon", "value=1", 400,
            body(202, "The given TTL in POST form is not a number", "invalid value for ttl: soon", index: 1)
        ),
        (
            "PUT", "/v2/keys/a?ttl=-5", "value=1", 400,
            body(202, "The given TTL in POST form is not a number", "ttl must be between 1 and 9000000000", index: 1)
        ),
        (
            "PUT", "/v2/keys/a?prevIndex=x", "value=1", 400,
            body(203, "The given index in POST form is not a number", "invalid value for prevIndex: x", index: 1)
        ),
        ("PUT", "/v2/keys/a", "value=%zz", 400, body(210, "Invalid POST form", "invalid escape in form", index: 1)),
        ("GET", "/v2/keys/%zz", "", 400, body(209, "Invalid field", "invalid escape in key", index: 1)),
        (
            "GET", "/v2/keys/a?wait=true&waitIndex=abc", "", 400,
            body(203, "The given index in POST form is not a number", "invalid value for waitIndex: abc", index: 1)
        ),
        ("PUT", "/v2/keys/a?refresh=true", "", 400, body(212, "A TTL must be provided on refresh", "", index: 1)),
        (
            "PUT", "/v2/keys/a?prevValue=", "value=1", 400,
            body(201, "PrevValue is Required in POST form", "CompareAndSwap", index: 1)
        ),
        ("DELETE", "/v2/keys/", "", 400, body(107, "Root is read only", "/", index: 1)),
    ])
    func malformedRequestsGetOneClearV2Error(
        _ method: String, _ target: String, _ form: String, _ status: Int, _ expected: String
    ) async throws {
        var configuration = StoreServer.Configuration()
        configuration.port = 0
        configuration.threads = 1
        let server = try StoreServer.start(configuration, log: Log(component: "store", level: .error))
        defer { server.stop() }
        let client = HTTPClient()
        defer { client.shutdown() }
        let endpoint = Endpoint(host: "127.0.0.1", port: server.port)
        let response = try await client.send(
            HTTPClientRequest(method: method, path: target, body: Array(form.utf8)), to: endpoint, timeout: .seconds(5))
        #expect(response.status == status)
        #expect(String(decoding: response.body, as: UTF8.self) == expected)
        let after = try await client.send(
            HTTPClientRequest(method: "PUT", path: "/v2/keys/still", body: Array("value=serving".utf8)), to: endpoint,
            timeout: .seconds(5))
        #expect(after.status == 201)
    }

    @Test func aValueOverTheRequestLimitIsRefusedAndNothingIsWritten() async throws {
        var configuration = StoreServer.Configuration()
        configuration.port = 0
        configuration.threads = 1
        configuration.limits.maxRequestBytes = 100
        let server = try StoreServer.start(configuration, log: Log(component: "store", level: .error))
        defer { server.stop() }
        let client = HTTPClient()
        defer { client.shutdown() }
        let response = try await client.send(
            HTTPClientRequest(
                method: "PUT", path: "/v2/keys/big", body: Array(("value=" + String(repeating: "v", count: 200)).utf8)),
            to: Endpoint(host: "127.0.0.1", port: server.port), timeout: .seconds(5))
        #expect(response.status == 413)
        #expect(
            String(decoding: response.body, as: UTF8.self)
                == Self.body(209, "Invalid field", "etcdserver: request is too large (204 bytes, limit 100)", index: 1))
        #expect(try await server.store.get("/big") == nil)
    }

    @Test func leaseGrantsBeyondTheLiveLeaseCapAreRefused() async throws {
        var configuration = StoreServer.Configuration()
        configuration.port = 0
        configuration.threads = 1
        configuration.limits.maxLeases = 2
        let server = try StoreServer.start(configuration, log: Log(component: "store", level: .error))
        defer { server.stop() }
        let client = HTTPClient()
        defer { client.shutdown() }
        let endpoint = Endpoint(host: "127.0.0.1", port: server.port)
        var statuses: [Int] = []
        for key in ["a", "b", "c"] {
            let response = try await client.send(
                HTTPClientRequest(method: "PUT", path: "/v2/keys/\(key)?ttl=60", body: Array("value=1".utf8)),
                to: endpoint, timeout: .seconds(5))
            statuses.append(response.status)
        }
        #expect(statuses == [201, 201, 429])
        #expect(server.store.stats.leases == 2)
    }
}
