import KV
import KVTestSupport
import Platform
import TestSupport
import Testing

/// Three real etcd members on loopback: losing the member a client talks to must not stop it.
@Suite(.serialized, .timeLimit(.minutes(3)), .enabled(if: EtcdCluster.binary != nil, "etcd is not installed"))
struct EtcdClusterFailoverTests {
    @Test func clientKeepsReadingWritingAndWatchingWhenItsMemberDies() async throws {
        let cluster = try await EtcdCluster(size: 3)
        defer { cluster.stop() }
        var configuration = EtcdClient.Configuration(endpoints: try EtcdClient.endpoints(from: cluster.endpoints))
        configuration.requestTimeout = .seconds(3)
        configuration.watchBackoff = (.milliseconds(20), .milliseconds(200))
        let client = try EtcdClient(configuration: configuration, log: Log(component: "test", level: .error))
        defer { client.close() }

        let start = try await client.put("/cluster/0", "v0")
        #expect(client.currentEndpoint.description == cluster.endpoints[0])
        var events = client.watch(prefix: "/cluster/", from: start).makeAsyncIterator()
        #expect(try await events.next()?.events.map(\.kv.keyString) == ["/cluster/0"])

        cluster.kill(0)

        for i in 1...5 {
            // While a new leader is elected (if member 0 led), a write may fail: the caller retries.
            let written = await eventually(timeout: .seconds(20)) {
                _ = try await client.put("/cluster/\(i)", "v\(i)")
                return true
            }
            #expect(written, "write \(i) never succeeded after member 0 died")
        }
        #expect(client.currentEndpoint.description != cluster.endpoints[0])
        let all = try await client.list(prefix: "/cluster/")
        #expect(all.kvs.map(\.keyString) == (0...5).map { "/cluster/\($0)" })

        var seen: [String] = []
        while seen.count < 5, let batch = try await events.next() {
            seen += batch.events.map(\.kv.keyString)
        }
        #expect(seen == (1...5).map { "/cluster/\($0)" })
    }
}
