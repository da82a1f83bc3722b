import HTTP
import Platform
import Synchronization
import TestSupport

/// A handler made of a closure, so each test states its behaviour inline.
struct ClosureHandler: HTTPHandler {
    let body: @Sendable (HTTPRequest, HTTPResponder) -> Void
    func handle(_ request: HTTPRequest, responder: HTTPResponder) { body(request, responder) }
}

/// Answers `200` with the method, path and body echoed back.
let echo = ClosureHandler { request, responder in
    let text = "\(request.head.method) \(request.head.target) \(String(decoding: request.body, as: UTF8.self))"
    responder.respond(HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: Array(text.utf8)))
}

/// Starts a server on 127.0.0.1 with a free port, runs `body`, and always stops it.
func withServer<R>(
    threads: Int = 1, configure: (inout HTTPServer.Configuration) -> Void = { _ in }, handler: some HTTPHandler,
    _ body: (HTTPServer, Endpoint) async throws -> R
) async throws -> R {
    var configuration = HTTPServer.Configuration()
    configuration.threads = threads
    configure(&configuration)
    let server = HTTPServer(
        configuration: configuration, handler: handler,
        log: Log(component: "test", level: .error, sink: MemoryLogSink()))
    let port = try server.start()
    defer { server.stop() }
    return try await body(server, Endpoint(host: "127.0.0.1", port: port))
}

/// Runs `body` with a client and always shuts it down.
func withClient<R>(
    configure: (inout HTTPClient.Configuration) -> Void = { _ in }, _ body: (HTTPClient) async throws -> R
) async throws -> R {
    var configuration = HTTPClient.Configuration()
    configure(&configuration)
    let client = HTTPClient(configuration: configuration)
    defer { client.shutdown() }
    return try await body(client)
}

/// A blocking raw TCP socket for sending exact bytes; used from a detached task.
final class RawConnection: Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = try RawSocket.connect(port: port)
    }

    func send(_ text: String) { RawSocket.send(fd, Array(text.utf8)) }
    func send(_ bytes: [UInt8]) { RawSocket.send(fd, bytes) }

    /// Reads until the peer closes.
    func readToEnd() -> String { String(decoding: RawSocket.readToEnd(fd), as: UTF8.self) }

    /// Reads until `text` has been seen (or the peer closes).
    func read(until text: String) -> String {
        String(decoding: RawSocket.read(fd, until: Array(text.utf8)), as: UTF8.self)
    }

    deinit { RawSocket.close(fd) }
}
