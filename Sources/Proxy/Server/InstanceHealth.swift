import Platform

/// Passive health of the instances one worker talks to: consecutive failures, and ejection for a
/// cool-down once they reach the limit. Per worker (as nginx's `max_fails`), so it needs no lock.
struct InstanceHealth {
    private struct Entry {
        var failures = 0
        var ejectedUntil: Int64 = 0
    }

    private var entries: [SocketAddress: Entry] = [:]
    private let threshold: Int
    private let cooldown: Int64

    init(threshold: Int, cooldown: Duration) {
        self.threshold = max(1, threshold)
        self.cooldown = cooldown.nanoseconds
    }

    /// Whether `address` is ejected at `now`; the common case (nothing ever failed) is one check.
    func isEjected(_ address: SocketAddress, now: Int64) -> Bool {
        guard !entries.isEmpty, let entry = entries[address] else { return false }
        return entry.ejectedUntil > now
    }

    /// Records a failure; returns true when it ejects the instance.
    mutating func recordFailure(_ address: SocketAddress, now: Int64) -> Bool {
        var entry = entries[address] ?? Entry()
        entry.failures += 1
        var ejected = false
        if entry.failures >= threshold && entry.ejectedUntil <= now {
            entry.ejectedUntil = now + cooldown
            entry.failures = 0
            ejected = true
        }
        entries[address] = entry
        return ejected
    }

    /// A success forgets earlier failures.
    mutating func recordSuccess(_ address: SocketAddress) {
        guard !entries.isEmpty, let entry = entries[address] else { return }
        if entry.ejectedUntil == 0 || entry.failures > 0 { entries[address] = nil }
    }

    /// Forgets failures and an ejection at `address`: a new instance was registered there.
    mutating func forget(_ address: SocketAddress) {
        guard !entries.isEmpty else { return }
        entries[address] = nil
    }

    /// Drops entries whose cool-down ended and that have no failures, so the map does not grow.
    mutating func prune(now: Int64) {
        guard !entries.isEmpty else { return }
        entries = entries.filter { $0.value.ejectedUntil > now || $0.value.failures > 0 }
    }
}
