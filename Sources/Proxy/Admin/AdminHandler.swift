import HTTP
import Platform

/// The admin listener: `/health` and `/metrics` (Prometheus text format).
struct AdminHandler: HTTPHandler {
    /// Unowned in spirit: the proxy outlives its admin listener, which it stops in `shutdown`.
    let proxy: ProxyServer

    func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        let text = ["Content-Type": "text/plain; charset=utf-8"] as HTTPHeaders
        switch request.head.path {
        case "/health":
            switch proxy.feed {
            case .watching:
                responder.respond(HTTPResponse(status: 200, headers: text, body: Array("ok\n".utf8)))
            case .unavailable:
                // Still routing with the last table; say so, but stay healthy: the proxy serves.
                responder.respond(
                    HTTPResponse(
                        status: 200, headers: text,
                        body: Array("ok (store unavailable; last routing table kept)\n".utf8)))
            case .starting:
                responder.respond(
                    HTTPResponse(
                        status: 503, headers: text, body: Array("starting: routing table not loaded yet\n".utf8)))
            }
        case "/metrics":
            proxy.collect { snapshot in
                responder.respond(
                    HTTPResponse(
                        status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
                        body: Array(MetricsText.render(snapshot).utf8)))
            }
        default:
            responder.respond(
                HTTPResponse(status: 404, headers: text, body: Array("404 Not Found: try /metrics or /health\n".utf8)))
        }
    }
}

/// Renders a snapshot in Prometheus' text exposition format.
enum MetricsText {
    static func render(_ snapshot: ProxySnapshot) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Int)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { out += "\(name)\(sample.labels) \(sample.value)\n" }
        }
        var requests: [(String, Int)] = []
        for app in snapshot.metrics.requests.keys.sorted() {
            for (status, count) in (snapshot.metrics.requests[app] ?? [:]).sorted(by: { $0.key < $1.key }) {
                requests.append(("{app=\"\(escape(app))\",status=\"\(status)\"}", count))
            }
        }
        metric("switchboard_proxy_requests_total", "counter", "Requests answered, by app and status.", requests)
        metric(
            "switchboard_proxy_upstream_errors_total", "counter", "Upstream connect errors, resets and timeouts.",
            [("", snapshot.metrics.upstreamErrors)])
        metric(
            "switchboard_proxy_retries_total", "counter", "Requests sent again to another instance.",
            [("", snapshot.metrics.retries)])
        metric(
            "switchboard_proxy_ejections_total", "counter", "Instances ejected after repeated failures.",
            [("", snapshot.metrics.ejections)])
        metric(
            "switchboard_proxy_rejected_connections_total", "counter", "Connections closed at the connection cap.",
            [("", snapshot.metrics.rejectedConnections)])
        metric(
            "switchboard_proxy_open_connections", "gauge", "Client connections open now.",
            [("", snapshot.openConnections)])
        metric(
            "switchboard_proxy_upstream_connections", "gauge", "Upstream connections open now (busy and idle).",
            [("", snapshot.upstreamConnections)])
        metric(
            "switchboard_proxy_routing_table_version", "gauge", "Changes applied to the routing table.",
            [("", snapshot.tableVersion)])
        metric("switchboard_proxy_routing_apps", "gauge", "Apps with at least one instance.", [("", snapshot.apps)])
        metric(
            "switchboard_proxy_routing_instances", "gauge", "Instances in the routing table.",
            [("", snapshot.instances)])
        metric(
            "switchboard_proxy_store_watch_up", "gauge", "1 while the routing table follows the store's watch.",
            [("", snapshot.feed == .watching ? 1 : 0)])
        return out
    }

    private static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
