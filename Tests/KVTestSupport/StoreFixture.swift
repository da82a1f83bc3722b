import Foundation
import KV
import Platform
import TestSupport

/// The stores the client contract runs against: the same `EtcdClient`, the same assertions.
package enum StoreUnderTest: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The embedded store served by `StoreServer` (what `router store` runs), durable in a temp dir.
    case routerStore
    /// Real etcd 3.4 from Debian's `etcd-server`.
    case etcd

    package var description: String { rawValue }
}

/// A running store plus a client to it; `stop()` ends everything it started.
package final class StoreFixture: Sendable {
    package let target: StoreUnderTest
    package let client: EtcdClient
    package let url: String
    private let port: Int
    private let directory: TemporaryDirectory
    private let server: Locked<StoreServer?>
    private let etcd: EtcdCluster?

    /// - Parameter enableV2: start etcd with `--enable-v2` (the embedded store always serves v2).
    package static func start(_ target: StoreUnderTest, enableV2: Bool = false) async throws -> StoreFixture {
        let log = Log(component: "test", level: .error)
        switch target {
        case .routerStore:
            let directory = try TemporaryDirectory("store")
            let port = FreePort.next()
            let server = try startServer(port: port, dataDir: directory.path)
            return try StoreFixture(
                target: target, url: "http://127.0.0.1:\(server.port)", port: port, directory: directory,
                server: server, etcd: nil, log: log)
        case .etcd:
            let cluster = try await EtcdCluster(size: 1, enableV2: enableV2)
            return try StoreFixture(
                target: target, url: cluster.endpoints[0], port: cluster.members[0].clientPort,
                directory: try TemporaryDirectory("etcd-fixture"), server: nil, etcd: cluster, log: log)
        }
    }

    private init(
        target: StoreUnderTest, url: String, port: Int, directory: TemporaryDirectory, server: StoreServer?,
        etcd: EtcdCluster?, log: Log
    ) throws {
        self.target = target
        self.url = url
        self.port = port
        self.directory = directory
        self.server = Locked(server)
        self.etcd = etcd
        var configuration = EtcdClient.Configuration(endpoints: try EtcdClient.endpoints(from: [url]))
        configuration.requestTimeout = .seconds(5)
        configuration.watchBackoff = (.milliseconds(20), .milliseconds(200))
        client = try EtcdClient(configuration: configuration, log: log)
    }

    private static func startServer(port: Int, dataDir: String) throws -> StoreServer {
        var configuration = StoreServer.Configuration()
        configuration.port = port
        configuration.dataDir = dataDir
        configuration.threads = 1
        return try StoreServer.start(configuration, log: Log(component: "store", level: .error))
    }

    /// Stops the store and starts it again on the same port with the same data.
    package func restart() async throws {
        switch target {
        case .routerStore:
            server.withLock { $0 }?.stop()
            let restarted = try StoreFixture.startServer(port: port, dataDir: directory.path)
            server.withLock { $0 = restarted }
        case .etcd:
            etcd?.kill(0)
            try await etcd?.restart(0)
        }
    }

    package func stop() {
        client.close()
        server.withLock { $0 }?.stop()
        etcd?.stop()
        directory.remove()
    }
}

extension StoreUnderTest {
    /// Whether the peer this target needs is installed (scripts/test installs etcd).
    package var isAvailable: Bool { self != .etcd || EtcdCluster.binary != nil }
}
