/// Granted leases, their deadlines and attached keys.
///
/// Time is a `MonotonicClock` reading passed in by the caller, so tests advance it by hand.
struct LeaseTable {
    struct Entry {
        var ttl: Int64
        var deadline: Duration
        var keys: Set<[UInt8]> = []
    }

    private(set) var entries: [LeaseID: Entry] = [:]
    /// No lease expires before this; lets every operation skip the scan cheaply.
    private var earliestDeadline: Duration? = nil

    var count: Int { entries.count }

    func contains(_ id: LeaseID) -> Bool { entries[id] != nil }

    subscript(id: LeaseID) -> Entry? { entries[id] }

    mutating func grant(_ id: LeaseID, ttl: Int64, now: Duration) {
        let deadline = now + .seconds(ttl)
        entries[id] = Entry(ttl: ttl, deadline: deadline)
        earliestDeadline = min(earliestDeadline ?? deadline, deadline)
    }

    /// Renews to the full TTL; nil when the lease does not exist.
    mutating func renew(_ id: LeaseID, now: Duration) -> Int64? {
        guard var entry = entries[id] else { return nil }
        entry.deadline = now + .seconds(entry.ttl)
        entries[id] = entry
        return entry.ttl
    }

    mutating func attach(_ key: [UInt8], to id: LeaseID) { entries[id]?.keys.insert(key) }

    mutating func detach(_ key: [UInt8], from id: LeaseID) { entries[id]?.keys.remove(key) }

    mutating func remove(_ id: LeaseID) -> Entry? { entries.removeValue(forKey: id) }

    /// Leases whose deadline has passed, earliest first.
    mutating func expired(now: Duration) -> [LeaseID] {
        guard let earliest = earliestDeadline, earliest <= now else { return [] }
        var expired: [(Duration, LeaseID)] = []
        var next: Duration? = nil
        for (id, entry) in entries {
            if entry.deadline <= now {
                expired.append((entry.deadline, id))
            } else {
                next = min(next ?? entry.deadline, entry.deadline)
            }
        }
        earliestDeadline = next
        return expired.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }.map(\.1)
    }

    /// Every lease gets its full TTL from `now`: what recovery does, like etcd.
    mutating func restartDeadlines(now: Duration) {
        for id in entries.keys { _ = renew(id, now: now) }
        earliestDeadline = entries.values.map(\.deadline).min()
    }
}
