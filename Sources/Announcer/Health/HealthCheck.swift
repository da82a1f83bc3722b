/// What one probe of the app found: a result, never an error, so the caller decides what it means.
package struct HealthResult: Sendable, Hashable, CustomStringConvertible {
    package var isHealthy: Bool
    /// Why, in a few words a user can act on: `HTTP 503 from http://127.0.0.1:8080/health`.
    package var detail: String

    package init(isHealthy: Bool, detail: String) {
        self.isHealthy = isHealthy
        self.detail = detail
    }

    package static func healthy(_ detail: String = "ok") -> HealthResult {
        HealthResult(isHealthy: true, detail: detail)
    }
    package static func unhealthy(_ detail: String) -> HealthResult { HealthResult(isHealthy: false, detail: detail) }

    package var description: String { (isHealthy ? "healthy: " : "unhealthy: ") + detail }
}

/// Probes the app once. Conformers bound their own time (`--check-timeout`) and never throw.
/// Proved by Tests/AnnouncerTests/HealthCheckTests.swift against real servers and commands.
package protocol HealthCheck: Sendable {
    func check() async -> HealthResult
}

/// A check whose answers a test scripts ("up, up, down").
package struct ClosureHealthCheck: HealthCheck {
    let body: @Sendable () async -> HealthResult
    package init(_ body: @escaping @Sendable () async -> HealthResult) { self.body = body }
    package func check() async -> HealthResult { await body() }
}
