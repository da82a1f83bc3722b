/// A source of monotonic time, passed in so tests can advance it by hand.
package protocol MonotonicClock: Sendable {
    /// Time since an arbitrary fixed origin; never goes backwards.
    var now: Duration { get }
}

/// The system's monotonic clock (`CLOCK_MONOTONIC`).
package struct SystemClock: MonotonicClock {
    package init() {}
    package var now: Duration {
        .nanoseconds(Posix.monotonicNanoseconds())
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    package var seconds: Double {
        let (s, attos) = components
        return Double(s) + Double(attos) / 1e18
    }
    /// The duration in whole nanoseconds, saturating.
    package var nanoseconds: Int64 {
        let (s, attos) = components
        let (ns, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return s < 0 ? .min : .max }
        return ns &+ attos / 1_000_000_000
    }
}
