import Foundation
import HTTP
import KV
import Platform
import TestSupport
import Testing

/// `router store` killed with SIGKILL while writers run: every acknowledged write is there after restart.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct StoreDurabilityTests {
    private func startStore(port: Int, dataDir: String, log: String) async throws -> ChildProcess {
        let process = try ChildProcess(
            BuiltProducts.path("router"),
            ["store", "--listen", "127.0.0.1:\(port)", "--data-dir", dataDir, "--log-level", "warning"],
            logPath: log)
        let client = HTTPClient()
        defer { client.shutdown() }
        let endpoint = Endpoint(host: "127.0.0.1", port: port)
        let up = await eventually(timeout: .seconds(20)) {
            try await client.send(HTTPClientRequest(path: "/health"), to: endpoint, timeout: .seconds(1)).status == 200
        }
        guard up else {
            process.kill9()
            throw TestSupportError("router store did not start:\n\(process.output.suffix(2000))")
        }
        return process
    }

    @Test func everyAcknowledgedWriteSurvivesKill9InALoop() async throws {
        let directory = try TemporaryDirectory("durability")
        defer { directory.remove() }
        let port = FreePort.next()
        let acknowledged = Locked<[String: String]>([:])
        let log = Log(component: "test", level: .error)
        var configuration = EtcdClient.Configuration(endpoints: [Endpoint(host: "127.0.0.1", port: port)])
        configuration.requestTimeout = .seconds(2)
        let client = try EtcdClient(configuration: configuration, log: log)
        defer { client.close() }

        for round in 0..<5 {
            let store = try await startStore(
                port: port, dataDir: directory.file("data"), log: directory.file("store.log"))
            defer { store.kill9() }
            let before = acknowledged.value
            let present = try await client.list(prefix: "/durable/")
            let stored = Dictionary(present.kvs.map { ($0.keyString, $0.valueString) }, uniquingKeysWith: { $1 })
            for (key, value) in before {
                #expect(stored[key] == value, "round \(round): acknowledged \(key) lost after kill -9")
            }
            // Four writers put unique keys until the store dies under them.
            let writers = (0..<4).map { writer in
                Task {
                    var i = 0
                    while !Task.isCancelled {
                        let key = "/durable/r\(round)-w\(writer)-\(i)"
                        let value = "v\(round)-\(writer)-\(i)"
                        do {
                            _ = try await client.put(key, value)
                            acknowledged.withLock { $0[key] = value }
                        } catch {
                            return
                        }
                        i += 1
                    }
                }
            }
            let target = before.count + 200
            _ = await eventually(timeout: .seconds(30), every: .milliseconds(5)) {
                acknowledged.value.count >= target
            }
            store.kill9()
            for writer in writers { await writer.value }
        }
        let store = try await startStore(port: port, dataDir: directory.file("data"), log: directory.file("store.log"))
        defer { store.stop() }
        let final = try await client.list(prefix: "/durable/")
        let stored = Dictionary(final.kvs.map { ($0.keyString, $0.valueString) }, uniquingKeysWith: { $1 })
        let expected = acknowledged.value
        #expect(expected.count >= 1000)
        let lost = expected.filter { stored[$0.key] != $0.value }
        #expect(lost.isEmpty, "\(lost.count) acknowledged writes lost, e.g. \(lost.keys.sorted().prefix(3))")
    }

    @Test func aCorruptedLogStopsStartupWithOneClearLineAndChangesNothing() async throws {
        let directory = try TemporaryDirectory("corrupt")
        defer { directory.remove() }
        let port = FreePort.next()
        let dataDir = directory.file("data")
        do {
            let store = try await startStore(port: port, dataDir: dataDir, log: directory.file("first.log"))
            defer { store.stop() }
            var configuration = EtcdClient.Configuration(endpoints: [Endpoint(host: "127.0.0.1", port: port)])
            configuration.requestTimeout = .seconds(2)
            let client = try EtcdClient(configuration: configuration, log: Log(component: "test", level: .error))
            defer { client.close() }
            for i in 0..<50 { try await client.put("/corrupt/\(i)", String(repeating: "x", count: 100)) }
        }
        // Flip bytes in the middle of the largest log segment: not a torn tail, real corruption.
        let files = try FileManager.default.contentsOfDirectory(atPath: dataDir)
        func size(_ name: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: "\(dataDir)/\(name)"))?[.size] as? Int) ?? 0
        }
        let segment = try #require(
            files.filter { $0.hasSuffix(".log") || $0.hasPrefix("wal") }.max { size($0) < size($1) })
        let path = "\(dataDir)/\(segment)"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for i in (bytes.count / 2)..<(bytes.count / 2 + 8) { bytes[i] ^= 0x5a }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let corrupted = try Data(contentsOf: URL(fileURLWithPath: path))

        let process = try ChildProcess(
            BuiltProducts.path("router"), ["store", "--listen", "127.0.0.1:\(port)", "--data-dir", dataDir],
            logPath: directory.file("second.log"))
        defer { process.kill9() }
        let status = process.waitForExit(timeout: .seconds(20))
        #expect(status == 1)
        let lines = process.output.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got: \(process.output)")
        #expect(process.output.contains(segment) && process.output.contains("corrupt"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == corrupted, "start-up changed a corrupted log")
    }
}
