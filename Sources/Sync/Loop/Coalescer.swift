/// Decides when a burst of changes becomes one render (`--wait MIN:MAX`).
///
/// A cycle starts once no change has arrived for `quiet` (MIN), or `maximum` (MAX) after the first change
/// it will cover, whichever is sooner; and never sooner than `maximum` after the previous cycle started.
/// So a lone change is rendered after MIN (fast), while a storm is rendered at most once per MAX (few
/// reloads): consul-template's `wait`, plus the spacing that keeps nginx from reloading in a loop.
package struct Coalescer: Sendable {
    package typealias Instant = ContinuousClock.Instant
    package let quiet: Duration
    package let maximum: Duration
    private var firstPending: Instant?
    private var lastChange: Instant?
    private var lastCycle: Instant?

    package init(quiet: Duration, maximum: Duration) {
        self.quiet = quiet
        self.maximum = max(quiet, maximum)
    }

    /// Whether changes are waiting for a cycle.
    package var hasPending: Bool { firstPending != nil }

    /// Notes a change at `now`.
    package mutating func change(at now: Instant) {
        if firstPending == nil { firstPending = now }
        lastChange = now
    }

    /// When the pending changes should be rendered; nil when none are pending.
    package var deadline: Instant? {
        guard let firstPending, let lastChange else { return nil }
        var due = min(lastChange + quiet, firstPending + maximum)
        if let lastCycle { due = max(due, lastCycle + maximum) }
        return due
    }

    /// Whether a cycle should start at `now`.
    package func isDue(at now: Instant) -> Bool {
        guard let deadline else { return false }
        return now >= deadline
    }

    /// Notes that a cycle covering every pending change started at `now`.
    package mutating func cycleStarted(at now: Instant) {
        firstPending = nil
        lastChange = nil
        lastCycle = now
    }
}
