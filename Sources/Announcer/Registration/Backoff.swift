/// Capped exponential backoff with jitter: `first · 2^(failures-1)`, at most `cap`, then shortened by a
/// random part of up to `jitter` (0…1) so a fleet of announcers does not hammer a store that just came back.
package struct Backoff: Sendable, Hashable {
    package var first: Duration
    package var cap: Duration
    /// The largest fraction of the delay taken off at random; 0 makes delays exact (tests).
    package var jitter: Double

    package init(first: Duration = .milliseconds(200), cap: Duration = .seconds(10), jitter: Double = 0.5) {
        self.first = first
        self.cap = cap
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The pause after `failures` consecutive failures (1 for the first), given `random` in 0..<1.
    package func delay(afterFailures failures: Int, random: Double) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        let scaled = first * (1 << exponent)
        let capped = scaled > cap ? cap : scaled
        return capped * (1 - jitter * min(max(random, 0), 1))
    }
}

/// SplitMix64: a tiny seeded generator, so the state machine stays a value with reproducible jitter.
package struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    private var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
