/// Counters one worker keeps on its own loop (no lock, no atomic); `/metrics` adds the workers up.
package struct ProxyMetrics: Sendable {
    /// Requests answered, by app (`-` when no app matched) and status.
    package var requests: [String: [Int: Int]] = [:]
    /// Upstream failures: connect errors, resets, bad responses, timeouts.
    package var upstreamErrors = 0
    /// Requests sent again to another instance (or on a fresh connection).
    package var retries = 0
    /// Times an instance was ejected after repeated failures.
    package var ejections = 0
    /// Connections closed on accept because the connection cap was reached.
    package var rejectedConnections = 0

    package init() {}

    mutating func count(app: String, status: Int) {
        requests[app, default: [:]][status, default: 0] += 1
    }

    /// The sum of `self` and `other`.
    package func adding(_ other: ProxyMetrics) -> ProxyMetrics {
        var sum = self
        for (app, statuses) in other.requests {
            for (status, count) in statuses { sum.requests[app, default: [:]][status, default: 0] += count }
        }
        sum.upstreamErrors += other.upstreamErrors
        sum.retries += other.retries
        sum.ejections += other.ejections
        sum.rejectedConnections += other.rejectedConnections
        return sum
    }
}
