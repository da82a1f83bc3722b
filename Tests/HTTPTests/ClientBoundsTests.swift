import HTTP
import Platform
import Synchronization
import TestSupport
import Testing

/// The client's bounds against servers that misbehave, and its stale keep-alive retry, driven for real.
@Suite(.timeLimit(.minutes(2)))
struct ClientBoundsTests {
    @Test func staleKeptAliveConnectionIsRetriedOnAFreshOne() async throws {
        // The first connection answers once, then closes when the second request arrives, before any
        // byte of its answer: exactly the race a kept-alive connection loses.
        let server = try ScriptedServer { fd, index in
            guard let first = ScriptedServer.readHead(fd) else { return }
            let path = first.split(separator: " ")[1]
            ScriptedServer.send(fd, "HTTP/1.1 200 OK\r\nContent-Length: \(path.utf8.count)\r\n\r\n\(path)")
            guard index == 0 else {
                // Fresh connections keep answering.
                while let next = ScriptedServer.readHead(fd) {
                    let path = next.split(separator: " ")[1]
                    ScriptedServer.send(fd, "HTTP/1.1 200 OK\r\nContent-Length: \(path.utf8.count)\r\n\r\n\(path)")
                }
                return
            }
            _ = ScriptedServer.readHead(fd)
        }
        defer { server.stop() }
        try await withClient { client in
            let endpoint = Endpoint(host: "127.0.0.1", port: server.port)
            let first = try await client.send(HTTPClientRequest(path: "/first"), to: endpoint)
            #expect(String(decoding: first.body, as: UTF8.self) == "/first")
            let second = try await client.send(HTTPClientRequest(path: "/second"), to: endpoint)
            #expect(String(decoding: second.body, as: UTF8.self) == "/second")
            #expect(server.connections == 2)
        }
    }

    @Test func bodyReadUntilCloseIsCappedAtTheBodyLimit() async throws {
        let server = try ScriptedServer { fd, _ in
            guard ScriptedServer.readHead(fd) != nil else { return }
            ScriptedServer.send(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
            let piece = [UInt8](repeating: 0x61, count: 64 * 1024)
            // More than the limit, and never a close: only the cap can end this.
            for _ in 0..<64 { ScriptedServer.send(fd, piece) }
            _ = ScriptedServer.readHead(fd)
        }
        defer { server.stop() }
        try await withClient(configure: {
            $0.limits = HTTPLimits(maxBody: 1024 * 1024)
            $0.requestTimeout = .seconds(30)
        }) { client in
            await #expect(throws: HTTPClientError.self) {
                try await client.send(HTTPClientRequest(path: "/"), to: Endpoint(host: "127.0.0.1", port: server.port))
            }
            do {
                _ = try await client.send(
                    HTTPClientRequest(path: "/"), to: Endpoint(host: "127.0.0.1", port: server.port))
            } catch {
                #expect(
                    "\(error)"
                        == "bad response from http://127.0.0.1:\(server.port): body larger than 1048576 bytes")
            }
        }
    }

    @Test func streamWhoseReaderFallsBehindEndsWithAClearError() async throws {
        let clientClosed = AcceptCount()
        let server = try ScriptedServer { fd, _ in
            guard ScriptedServer.readHead(fd) != nil else { return }
            ScriptedServer.send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            ScriptedServer.send(fd, Array(String(repeating: "1\r\na\r\n", count: 5000).utf8) + Array("0\r\n\r\n".utf8))
            // The client closes once it has processed everything (cut short or complete).
            _ = ScriptedServer.readHead(fd)
            clientClosed.value.store(1, ordering: .relaxed)
        }
        defer { server.stop() }
        try await withClient { client in
            let stream = try await client.stream(
                HTTPClientRequest(path: "/watch"), to: Endpoint(host: "127.0.0.1", port: server.port))
            // Read nothing until the client has taken in the whole response, then drain: the stream must
            // have ended with an error instead of queueing all 5000 pieces.
            #expect(await eventually { clientClosed.value.load(ordering: .relaxed) == 1 })
            var pieces = 0
            do {
                for try await _ in stream.body { pieces += 1 }
                Issue.record("stream finished cleanly after \(pieces) pieces")
            } catch {
                #expect(
                    "\(error)"
                        == "stream from http://127.0.0.1:\(server.port) ended: the reader fell 4096 pieces behind")
            }
            #expect(pieces <= 4096)
        }
    }

    @Test func workHandedToAStoppedLoopIsRefused() throws {
        let group = try EventLoopGroup(threads: 1, name: "test")
        let loop = group.loops[0]
        #expect(loop.execute {})
        group.shutdown()
        #expect(!loop.execute {})
    }

    @Test func requestAfterShutdownFailsAtOnce() async throws {
        let client = HTTPClient()
        client.shutdown()
        await #expect(throws: HTTPClientError.self) {
            try await client.send(HTTPClientRequest(path: "/"), to: Endpoint(host: "127.0.0.1", port: 9))
        }
    }
}
