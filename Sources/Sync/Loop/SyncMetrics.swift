import Foundation
import HTTP
import Platform
import Synchronization

/// Counters for `--metrics`, served as Prometheus text: renders, failures, failed checks, reloads, the last
/// success per resource, the watch's state and the revision last read.
package final class SyncMetrics: Sendable {
    private struct State {
        var renders: [String: Int] = [:]
        var failures: [String: Int] = [:]
        var checksFailed: [String: Int] = [:]
        var lastSuccess: [String: Double] = [:]
        var reloads = 0
        var reloadFailures = 0
        var watchUp = true
        var revision: Int64 = 0
    }

    private let state = Mutex(State())

    package init() {}

    /// Records what one resource's processing came to.
    package func record(_ outcome: ResourceOutcome, dest: String) {
        let now = Date().timeIntervalSince1970
        state.withLock { s in
            switch outcome {
            case .inSync, .noop:
                s.renders[dest, default: 0] += 1
                s.lastSuccess[dest] = now
            case .updated:
                s.renders[dest, default: 0] += 1
                s.lastSuccess[dest] = now
            case .failed(let error):
                s.failures[dest, default: 0] += 1
                if case .checkFailed = error { s.checksFailed[dest, default: 0] += 1 }
            }
        }
    }

    package func recordReload(succeeded: Bool) {
        state.withLock { s in
            if succeeded { s.reloads += 1 } else { s.reloadFailures += 1 }
        }
    }

    package func setWatch(up: Bool) { state.withLock { $0.watchUp = up } }

    package func setRevision(_ revision: Int64) { state.withLock { $0.revision = max($0.revision, revision) } }

    /// The Prometheus text exposition.
    package var text: String {
        let s = state.withLock { $0 }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ values: [String: Double]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for key in values.keys.sorted() {
                out += "\(name){resource=\"\(escape(key))\"} \(format(values[key] ?? 0))\n"
            }
        }
        family(
            "switchboard_sync_renders_total", "counter", "Renders that completed, per resource.",
            s.renders.mapValues(Double.init))
        family(
            "switchboard_sync_failures_total", "counter", "Resource cycles that failed, per resource.",
            s.failures.mapValues(Double.init))
        family(
            "switchboard_sync_checks_failed_total", "counter", "check_cmd refusals, per resource.",
            s.checksFailed.mapValues(Double.init))
        family(
            "switchboard_sync_last_success_timestamp_seconds", "gauge", "When each resource last processed cleanly.",
            s.lastSuccess)
        out +=
            "# HELP switchboard_sync_reloads_total reload_cmd runs that succeeded.\n# TYPE switchboard_sync_reloads_total counter\n"
        out += "switchboard_sync_reloads_total \(s.reloads)\n"
        out +=
            "# HELP switchboard_sync_reload_failures_total reload_cmd runs that failed.\n# TYPE switchboard_sync_reload_failures_total counter\n"
        out += "switchboard_sync_reload_failures_total \(s.reloadFailures)\n"
        out +=
            "# HELP switchboard_sync_watch_up 1 while the store answers, 0 during an outage.\n# TYPE switchboard_sync_watch_up gauge\n"
        out += "switchboard_sync_watch_up \(s.watchUp ? 1 : 0)\n"
        out +=
            "# HELP switchboard_sync_store_revision The newest store revision read or watched.\n# TYPE switchboard_sync_store_revision gauge\n"
        out += "switchboard_sync_store_revision \(s.revision)\n"
        return out
    }

    private func escape(_ label: String) -> String {
        label.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Serves `SyncMetrics` at `GET /metrics` (and `GET /health`) on a loopback address.
package final class MetricsServer: Sendable {
    private let server: HTTPServer

    /// - Throws: `UsageError` when `address` is not a loopback HOST:PORT.
    package init(address: String, metrics: SyncMetrics, log: Log) throws {
        let hostPort = try HostPort.parse(address, allowsPortZero: true)
        guard hostPort.host.hasPrefix("127.") || hostPort.host == "::1" || hostPort.host == "localhost" else {
            throw UsageError("--metrics must be a loopback address (127.0.0.0/8, [::1] or localhost), not \(address)")
        }
        var configuration = HTTPServer.Configuration()
        configuration.host = hostPort.host == "localhost" ? "127.0.0.1" : hostPort.host
        configuration.port = hostPort.port
        configuration.threads = 1
        server = HTTPServer(configuration: configuration, handler: MetricsHandler(metrics: metrics), log: log)
    }

    /// Starts listening; returns the bound port.
    /// - Throws: `SystemError` (address in use).
    package func start() throws -> Int { try server.start() }

    package func stop() { server.stop() }
}

private struct MetricsHandler: HTTPHandler {
    let metrics: SyncMetrics

    func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        switch (request.head.method, request.head.path) {
        case ("GET", "/metrics"):
            responder.respond(
                HTTPResponse(
                    status: 200, headers: HTTPHeaders([("Content-Type", "text/plain; version=0.0.4")]),
                    body: Array(metrics.text.utf8)))
        case ("GET", "/health"):
            responder.respond(HTTPResponse(status: 200, body: Array("ok\n".utf8)))
        default:
            responder.respond(HTTPResponse(status: 404, body: Array("not found\n".utf8)))
        }
    }
}
