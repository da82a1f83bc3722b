import KV
import Platform
import Synchronization

/// Keeps a `RoutingTable` current from a store: one full read, then the watch from the next revision.
///
/// Each change rebuilds only the app it touches and hands the new table to `publish`. On a store error
/// the last table stays in service, one warning is logged, and the feed reads everything again once the
/// store answers (a compacted watch does the same, silently).
package final class RoutingFeed: Sendable {
    /// Whether the feed is in step with the store, for `/metrics` and `/health`.
    package enum State: Int, Sendable {
        case starting = 0
        case watching = 1
        case unavailable = 2
    }

    private let store: any KVStore
    private let prefix: String
    private let log: Log
    private let publish: @Sendable (RoutingTable, _ registered: [SocketAddress]) -> Void
    private let stateValue = Atomic<Int>(State.starting.rawValue)
    private let retry: Duration

    /// - Parameters:
    ///   - prefix: keys are `<prefix>/<app>/<instance>`; a trailing slash is ignored.
    ///   - publish: called with every new table, and the addresses of instances registered anew in that
    ///     change, from the feed's task.
    package init(
        store: any KVStore, prefix: String, log: Log, retry: Duration = .milliseconds(500),
        publish: @escaping @Sendable (RoutingTable, _ registered: [SocketAddress]) -> Void
    ) {
        self.store = store
        var prefix = prefix
        while prefix.hasSuffix("/") { prefix.removeLast() }
        self.prefix = prefix + "/"
        self.log = log
        self.retry = retry
        self.publish = publish
    }

    package var state: State { State(rawValue: stateValue.load(ordering: .relaxed)) ?? .starting }

    /// Follows the store until the task is cancelled.
    package func run() async {
        var table = RoutingTable()
        var apps = AppInstances(prefix: prefix, log: log)
        var reportedOutage = false
        while !Task.isCancelled {
            do {
                let result = try await store.list(prefix: prefix)
                apps = AppInstances(prefix: prefix, log: log)
                for kv in result.kvs { _ = apps.put(kv) }
                table = RoutingTable(version: table.version + 1, apps: apps.all)
                publish(table, [])
                stateValue.store(State.watching.rawValue, ordering: .relaxed)
                if reportedOutage {
                    log.info("store reachable again; routing table reloaded", ["apps": "\(table.appCount)"])
                    reportedOutage = false
                }
                log.info(
                    "routing table loaded",
                    [
                        "apps": "\(table.appCount)", "instances": "\(table.instanceCount)",
                        "revision": "\(result.revision)",
                    ])
                for try await batch in store.watch(prefix: prefix, from: result.revision + 1) {
                    var changed: Set<String> = []
                    var registered: [SocketAddress] = []
                    for event in batch.events {
                        if let app = event.kind == .put ? apps.put(event.kv) : apps.delete(event.kv.key) {
                            changed.insert(app)
                        }
                        // A key created anew is an instance (re)started and announced healthy: it owes
                        // nothing to failures of whatever answered at that address before.
                        if event.kind == .put && event.kv.version == 1,
                            let instance = AppInstances.instance(
                                key: String(decoding: event.kv.key, as: UTF8.self),
                                value: String(decoding: event.kv.value, as: UTF8.self))
                        {
                            registered.append(instance.socketAddress)
                        }
                    }
                    guard !changed.isEmpty else { continue }
                    for app in changed { table = table.replacing(app, with: apps.instances(of: app)) }
                    publish(table, registered)
                    if log.enabled(.debug) {
                        log.debug(
                            "routing table changed",
                            ["apps": changed.sorted().joined(separator: ","), "version": "\(table.version)"])
                    }
                }
                if Task.isCancelled { return }
            } catch let error as KVError {
                if case .compacted = error { continue }
                reportOutage(error, reported: &reportedOutage)
            } catch is CancellationError {
                return
            } catch {
                reportOutage(error, reported: &reportedOutage)
            }
            try? await Task.sleep(for: retry)
        }
    }

    private func reportOutage(_ error: any Error, reported: inout Bool) {
        stateValue.store(State.unavailable.rawValue, ordering: .relaxed)
        guard !reported, !Task.isCancelled else { return }
        reported = true
        log.warning("store unavailable; keeping the last routing table", ["error": "\(error)"])
    }
}

/// The instances the feed knows, by app and key; turns store keys and values into `Instance`s.
struct AppInstances {
    private let prefix: String
    private let log: Log
    private var byApp: [String: [String: Instance]] = [:]

    init(prefix: String, log: Log) {
        self.prefix = prefix
        self.log = log
    }

    var all: [String: [Instance]] { byApp.mapValues { $0.values.sorted { $0.key < $1.key } } }

    func instances(of app: String) -> [Instance] {
        (byApp[app] ?? [:]).values.sorted { $0.key < $1.key }
    }

    /// Records a put; returns the app whose instances changed, if any.
    mutating func put(_ kv: KeyValue) -> String? {
        let key = String(decoding: kv.key, as: UTF8.self)
        guard let app = app(of: key) else { return nil }
        let value = String(decoding: kv.value, as: UTF8.self)
        guard let instance = Self.instance(key: key, value: value) else {
            log.warning("skipped instance with an invalid address", ["key": key, "value": value])
            // A key that held a good address and now holds garbage is no longer routable.
            return byApp[app]?.removeValue(forKey: key) == nil ? nil : app
        }
        byApp[app, default: [:]][key] = instance
        return app
    }

    /// Records a delete; returns the app whose instances changed, if any.
    mutating func delete(_ keyBytes: [UInt8]) -> String? {
        let key = String(decoding: keyBytes, as: UTF8.self)
        guard let app = app(of: key), byApp[app]?.removeValue(forKey: key) != nil else { return nil }
        return app
    }

    /// `<prefix><app>/<instance>` → app in lower case; nil for any other shape.
    private func app(of key: String) -> String? {
        guard key.hasPrefix(prefix) else { return nil }
        let parts = key.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !parts[0].contains(".") else { return nil }
        return parts[0].lowercased()
    }

    /// An IP literal (or `localhost`) and port; names are not resolved on the request path.
    static func instance(key: String, value: String) -> Instance? {
        let trimmed = value.trimmingCharacters()
        guard let address = try? HostPort.parse(trimmed) else { return nil }
        let ip = address.host == "localhost" ? "127.0.0.1" : address.host
        guard let socketAddress = SocketAddress(ip: ip, port: address.port) else { return nil }
        return Instance(key: key, address: address, socketAddress: socketAddress)
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\n" || first == "\t" || first == "\r" {
            text = text.dropFirst()
        }
        while let last = text.last, last == " " || last == "\n" || last == "\t" || last == "\r" {
            text = text.dropLast()
        }
        return String(text)
    }
}
