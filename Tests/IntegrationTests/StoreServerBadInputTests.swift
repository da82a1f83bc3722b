import Formats
import Foundation
import HTTP
import KV
import Platform
import TestSupport
import Testing

/// Bad input to `router store` gets a clear 4xx with an etcd-like JSON body, never a crash, never lost data.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct StoreServerBadInputTests {
    private func withServer(_ body: (Int, EtcdClient) async throws -> Void) async throws {
        let directory = try TemporaryDirectory("badinput")
        defer { directory.remove() }
        var configuration = StoreServer.Configuration()
        configuration.port = 0
        configuration.dataDir = directory.path
        configuration.threads = 1
        let server = try StoreServer.start(configuration, log: Log(component: "store", level: .error))
        defer { server.stop() }
        let client = try EtcdClient(
            configuration: .init(endpoints: [Endpoint(host: "127.0.0.1", port: server.port)]),
            log: Log(component: "test", level: .error))
        defer { client.close() }
        try await client.put("/keep/a", "precious")
        try await body(server.port, client)
        // Whatever came before, the data is intact and the server still answers.
        #expect(try await client.get("/keep/a")?.valueString == "precious")
    }

    private func post(_ port: Int, _ path: String, _ body: String, method: String = "POST") async throws -> (
        Int, String
    ) {
        let http = HTTPClient()
        defer { http.shutdown() }
        let response = try await http.send(
            HTTPClientRequest(method: method, path: path, body: Array(body.utf8)),
            to: Endpoint(host: "127.0.0.1", port: port), timeout: .seconds(5))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    private static func etcdError(_ message: String, code: Int) -> String {
        JSONValue.object([("error", .string(message)), ("message", .string(message)), ("code", .number("\(code)"))])
            .serialized
    }

    @Test(arguments: [
        (
            "/v3/kv/range", "{bad json", 400,
            etcdError("invalid character 'b' looking for beginning of object key string", code: 3)
        ),
        (
            "/v3/kv/range", #"{"key":"!!!notbase64"}"#, 400,
            etcdError("illegal base64 data at input byte 0 (field \"key\")", code: 3)
        ),
        (
            "/v3/kv/range", #"{"key":"L2E=","bogus":1}"#, 400,
            etcdError("unknown field \"bogus\" in etcdserverpb.RangeRequest", code: 3)
        ),
        ("/v3/kv/put", #"{"value":"MQ=="}"#, 400, etcdError("etcdserver: key is not provided", code: 3)),
        ("/v3/kv/range", "", 400, etcdError("etcdserver: key is not provided", code: 3)),
        (
            "/v3/kv/range", "[]", 400,
            etcdError("json: cannot unmarshal array into Go value of type etcdserverpb.RangeRequest", code: 3)
        ),
        (
            "/v3/kv/txn", #"{"compare":[{"key":"L2E=","target":"BOGUS"}]}"#, 400,
            etcdError("unknown value \"BOGUS\" for enum etcdserverpb.Compare_CompareTarget", code: 3)
        ),
        ("/v3/lease/revoke", #"{"ID":4242}"#, 404, etcdError("etcdserver: requested lease not found", code: 5)),
        (
            "/v3/kv/put", #"{"key":"L2E=","lease":"4343"}"#, 404,
            etcdError("etcdserver: requested lease not found", code: 5)
        ),
        (
            "/v3/kv/range", #"{"key":"L2E=","revision":"100000"}"#, 400,
            etcdError("etcdserver: mvcc: required revision is a future revision", code: 11)
        ),
        (
            // A refused watch ends its body with a newline, so line-reading clients see it.
            "/v3/watch", "{bad", 400,
            etcdError("invalid character 'b' looking for beginning of object key string", code: 3) + "\n"
        ),
        (
            "/v3/watch", #"{"create_request":{"key":"!!"}}"#, 400,
            etcdError("illegal base64 data at input byte 0 (field \"key\")", code: 3) + "\n"
        ),
        ("/v3/nope", "{}", 404, etcdError("Not Found: /v3/nope", code: 5)),
    ])
    func malformedRequestsGetEtcdShapedErrors(_ path: String, _ body: String, _ status: Int, _ answer: String)
        async throws
    {
        try await withServer { port, _ in
            let (gotStatus, gotBody) = try await post(port, path, body)
            #expect(gotStatus == status)
            #expect(gotBody == answer)
        }
    }

    @Test func getOnAnRPCPathIsMethodNotAllowed() async throws {
        try await withServer { port, _ in
            let (status, body) = try await post(port, "/v3/kv/range", "", method: "GET")
            #expect(status == 405)
            #expect(body.contains("Method Not Allowed"))
        }
    }

    @Test func aValueOverTheRequestLimitIsRefusedLikeEtcd() async throws {
        try await withServer { port, _ in
            let value = Base64.encode([UInt8](repeating: 0, count: 2_000_000))
            let (status, body) = try await post(port, "/v3/kv/put", #"{"key":"L2tlZXAvYQ==","value":"\#(value)"}"#)
            #expect(status == 400)
            #expect(body == Self.etcdError("etcdserver: request is too large", code: 3))
        }
    }

    @Test func aBodyOverTheHTTPLimitIsRefusedWith413() async throws {
        try await withServer { port, _ in
            let connection = try RawConnection(port: port)
            connection.send("POST /v3/kv/put HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n")
            let answer = connection.readAll()
            #expect(answer.hasPrefix("HTTP/1.1 413"))
        }
    }

    @Test(arguments: [
        "\u{0}\u{1}\u{2}garbage\r\n\r\n", "GET / HTTP/9.9\r\n\r\n",
        "POST /v3/kv/put HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST /v3/kv/put HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        String(repeating: "A", count: 100_000) + "\r\n\r\n",
    ])
    func garbageOnTheSocketIsRefusedAndTheServerKeepsServing(_ garbage: String) async throws {
        try await withServer { port, client in
            let connection = try RawConnection(port: port)
            connection.send(garbage)
            let answer = connection.readAll()
            #expect(answer.hasPrefix("HTTP/1.1 4") || answer.hasPrefix("HTTP/1.1 5"), "answer: \(answer.prefix(80))")
            try await client.put("/keep/b", "still serving")
            #expect(try await client.get("/keep/b")?.valueString == "still serving")
        }
    }

    @Test func healthVersionAndMetricsAnswer() async throws {
        try await withServer { port, _ in
            let (healthStatus, health) = try await post(port, "/health", "", method: "GET")
            #expect(healthStatus == 200)
            #expect(health == #"{"health":"true"}"#)
            let (_, version) = try await post(port, "/version", "", method: "GET")
            #expect(version.contains(#""etcdserver":"3.4.23""#))
            let (metricsStatus, metrics) = try await post(port, "/metrics", "", method: "GET")
            #expect(metricsStatus == 200)
            #expect(metrics.contains("etcd_debugging_mvcc_keys_total 1"))
        }
    }
}
