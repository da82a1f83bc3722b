import HTTP
import KV
import Platform
import Proxy
import Synchronization
import TestSupport

/// A handler made of a closure.
struct ClosureHandler: HTTPHandler {
    let body: @Sendable (HTTPRequest, HTTPResponder) -> Void
    func handle(_ request: HTTPRequest, responder: HTTPResponder) { body(request, responder) }
}

/// An upstream app instance: answers with its name, the request line, the headers it received and the
/// body size, so tests see exactly what the proxy forwarded.
final class TestUpstream: Sendable {
    let name: String
    let server: HTTPServer
    let port: Int
    let requests = Atomic<Int>(0)

    init(
        name: String, handler: (any HTTPHandler)? = nil, configure: (inout HTTPServer.Configuration) -> Void = { _ in }
    )
        throws
    {
        self.name = name
        var configuration = HTTPServer.Configuration()
        configuration.threads = 1
        configuration.limits = HTTPLimits(maxBody: 256 * 1024 * 1024)
        configuration.streamBufferLimit = 256 * 1024 * 1024
        configure(&configuration)
        let box = CounterBox()
        let echo = ClosureHandler { request, responder in
            box.count.add(1, ordering: .relaxed)
            responder.respond(TestUpstream.echo(name: name, request: request))
        }
        server = HTTPServer(
            configuration: configuration, handler: handler ?? echo,
            log: Log(component: "upstream", level: .error, sink: MemoryLogSink()))
        port = try server.start()
        counterBox = box
    }

    private let counterBox: CounterBox
    var served: Int { counterBox.count.load(ordering: .relaxed) }
    var address: String { "127.0.0.1:\(port)" }

    func stop() { server.stop() }

    static func echo(name: String, request: HTTPRequest) -> HTTPResponse {
        var text = "instance=\(name)\n\(request.head.method) \(request.head.target)\n"
        for (field, value) in request.head.headers { text += "\(field.lowercased()): \(value)\n" }
        text += "body-bytes=\(request.body.count)\n"
        return HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: Array(text.utf8))
    }
}

final class CounterBox: Sendable {
    let count = Atomic<Int>(0)
}

/// A proxy in this process over a `MemoryStore`, with helpers to register instances and send requests.
final class ProxyFixture: Sendable {
    static let domain = "example.test"
    let store: MemoryStore
    let proxy: ProxyServer
    let port: Int
    let logSink = MemoryLogSink()
    let client: HTTPClient

    init(configure: (inout ProxyConfiguration) -> Void = { _ in }) throws {
        store = try MemoryStore.open(
            MemoryStore.Configuration(log: Log(component: "store", level: .error, sink: MemoryLogSink())))
        var configuration = ProxyConfiguration()
        configuration.port = 0
        configuration.domain = ProxyFixture.domain
        configuration.workers = 2
        configuration.ejectionCooldown = .seconds(30)
        configure(&configuration)
        proxy = ProxyServer(
            configuration: configuration, store: store, log: Log(component: "proxy", level: .debug, sink: logSink))
        port = try proxy.start()
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.limits = HTTPLimits(maxBody: 256 * 1024 * 1024)
        clientConfiguration.requestTimeout = .seconds(20)
        client = HTTPClient(configuration: clientConfiguration)
    }

    var endpoint: Endpoint { Endpoint(host: "127.0.0.1", port: port) }

    /// Registers `address` as instance `instance` of `app` and waits until the proxy's table has it.
    func register(_ app: String, _ instance: String, _ address: String) async throws {
        try await change { try await $0.put("/services/web/\(app)/\(app)@\(instance)", address) }
    }

    func deregister(_ app: String, _ instance: String) async throws {
        try await change { try await $0.delete("/services/web/\(app)/\(app)@\(instance)") }
    }

    /// Runs a store write and waits for the proxy to publish a newer table.
    func change(_ write: (MemoryStore) async throws -> Void) async throws {
        _ = await eventually { proxy.feed == .watching }
        let before = proxy.routingTableVersion
        try await write(store)
        _ = await eventually(timeout: .seconds(5)) { proxy.routingTableVersion > before }
    }

    func get(_ app: String, _ path: String = "/", headers: HTTPHeaders = HTTPHeaders()) async throws -> HTTPResponse {
        var headers = headers
        headers.replaceOrAdd("Host", "\(app).\(ProxyFixture.domain)")
        return try await client.send(HTTPClientRequest(method: "GET", path: path, headers: headers), to: endpoint)
    }

    func send(_ request: HTTPClientRequest, app: String) async throws -> HTTPResponse {
        var request = request
        request.headers.replaceOrAdd("Host", "\(app).\(ProxyFixture.domain)")
        return try await client.send(request, to: endpoint)
    }

    func stop() async {
        client.shutdown()
        await proxy.shutdown(grace: .seconds(1))
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
    /// The `name: value` lines the echo upstream reported, by lower-case name.
    var echoed: [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n").dropFirst(2) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(colon, offsetBy: 2)...])
        }
        return fields
    }
    var instance: String? {
        text.split(separator: "\n").first.flatMap { $0.hasPrefix("instance=") ? String($0.dropFirst(9)) : nil }
    }
}
