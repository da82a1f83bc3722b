import Platform
import Synchronization

/// One live instance of an app: the store key that announced it and where to connect.
package struct Instance: Sendable, Hashable {
    /// The store key, such as `/services/web/blog/blog@1`.
    package var key: String
    package var address: HostPort
    package var socketAddress: SocketAddress

    package init(key: String, address: HostPort, socketAddress: SocketAddress) {
        self.key = key
        self.address = address
        self.socketAddress = socketAddress
    }
}

/// An app's instances in key order, with the round-robin cursor shared by every event loop.
package final class AppRoute: Sendable {
    package let name: String
    package let instances: [Instance]
    private let cursor = Atomic<Int>(0)

    package init(name: String, instances: [Instance]) {
        self.name = name
        self.instances = instances
    }

    /// The next position in round-robin order (each call moves the cursor once).
    package func nextIndex() -> Int {
        let count = instances.count
        guard count > 1 else { return 0 }
        return (cursor.add(1, ordering: .relaxed).oldValue & Int.max) % count
    }
}

/// App name → instances, immutable: a change builds a new table and every event loop swaps it in.
///
/// Apps sit in 256 buckets by name hash, so a change copies one bucket (a handful of apps) and the
/// array of bucket references: work in proportion to the app that changed, not to the whole table.
package final class RoutingTable: Sendable {
    static let bucketCount = 256

    /// Grows by one with every change; 0 for the empty table before the first read.
    package let version: Int
    /// Apps with at least one instance.
    package let appCount: Int
    /// Instances across all apps.
    package let instanceCount: Int
    private let buckets: [[String: AppRoute]]

    /// The empty table.
    package convenience init() {
        self.init(version: 0, buckets: Array(repeating: [:], count: RoutingTable.bucketCount), apps: 0, instances: 0)
    }

    private init(version: Int, buckets: [[String: AppRoute]], apps: Int, instances: Int) {
        self.version = version
        self.buckets = buckets
        appCount = apps
        instanceCount = instances
    }

    /// A table holding exactly `apps` (for tests and full reads).
    package convenience init(version: Int, apps: [String: [Instance]]) {
        var buckets = Array(repeating: [String: AppRoute](), count: RoutingTable.bucketCount)
        var instances = 0
        for (name, list) in apps {
            buckets[RoutingTable.bucket(of: name)][name] = AppRoute(name: name, instances: list)
            instances += list.count
        }
        self.init(
            version: version, buckets: buckets, apps: apps.values.filter { !$0.isEmpty }.count, instances: instances)
    }

    /// The route for `app` (lower-case), nil when the app was never registered.
    package func route(_ app: String) -> AppRoute? {
        buckets[RoutingTable.bucket(of: app)][app]
    }

    /// Every app name, for metrics and tests.
    package var appNames: [String] { buckets.flatMap(\.keys).sorted() }

    /// A new table where `app` has `instances`; everything else is shared. An app left with no instance
    /// stays known, so its requests get 503 (no live instance) rather than 404 (no such app).
    package func replacing(_ app: String, with instances: [Instance]) -> RoutingTable {
        let index = RoutingTable.bucket(of: app)
        var bucket = buckets[index]
        let old = bucket[app]
        bucket[app] = AppRoute(name: app, instances: instances)
        var buckets = self.buckets
        buckets[index] = bucket
        let apps = appCount - ((old?.instances.isEmpty ?? true) ? 0 : 1) + (instances.isEmpty ? 0 : 1)
        let total = instanceCount - (old?.instances.count ?? 0) + instances.count
        return RoutingTable(version: version + 1, buckets: buckets, apps: apps, instances: total)
    }

    static func bucket(of app: String) -> Int {
        // FNV-1a: stable across runs, so a table is laid out the same way in every process.
        var hash: UInt32 = 2_166_136_261
        for byte in app.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int(hash % UInt32(bucketCount))
    }
}
