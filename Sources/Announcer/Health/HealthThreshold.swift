/// Turns single probe results into a verdict that changes only after `rise` (or `fall`) in a row,
/// as haproxy's `rise`/`fall` do, so one slow answer does not pull an instance out of rotation.
package struct HealthThreshold: Sendable, Hashable {
    package enum Verdict: Sendable, Hashable { case unknown, healthy, unhealthy }

    package let rise: Int
    package let fall: Int
    package private(set) var verdict: Verdict = .unknown
    /// Consecutive results that disagree with `verdict`.
    private var streak = 0

    package init(rise: Int = 1, fall: Int = 1) {
        self.rise = max(1, rise)
        self.fall = max(1, fall)
    }

    /// Records one result.
    /// - Returns: the new verdict when it changed, else nil.
    package mutating func record(_ healthy: Bool) -> Verdict? {
        switch (verdict, healthy) {
        case (.healthy, true), (.unhealthy, false):
            streak = 0
            return nil
        case (.unknown, false):
            // Nothing was announced yet, so there is nothing to protect: say at once why we wait.
            streak = 0
            verdict = .unhealthy
            return .unhealthy
        default:
            streak += 1
            guard streak >= (healthy ? rise : fall) else { return nil }
            streak = 0
            verdict = healthy ? .healthy : .unhealthy
            return verdict
        }
    }
}
