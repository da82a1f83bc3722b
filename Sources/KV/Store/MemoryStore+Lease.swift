import Platform

extension MemoryStore {
    /// Grants a lease, durably; it expires `ttl` seconds after the last renewal.
    /// - Throws: `KVError.leaseExists`, `.invalidRequest` (TTL <= 0), `.storage`; no lease is kept.
    package func grantLease(ttl: Int64, id: LeaseID?) async throws -> Lease {
        let now = configuration.clock.now
        return try await write { state throws(KVError) in try state.grant(ttl: ttl, id: id, now: now) }
    }

    /// Renews a lease to its full TTL (not logged: leases get their full TTL on recovery anyway).
    /// - Throws: `KVError.leaseNotFound`.
    package func keepAlive(_ id: LeaseID) async throws -> Int64 {
        let (ttl, followups) = try core.withLock { core throws(KVError) in
            try checkOpen(core)
            let followups = expireLeases(&core)
            return (core.state.leases.renew(id, now: configuration.clock.now), followups)
        }
        run(followups)
        guard let ttl else { throw KVError.leaseNotFound(id) }
        return ttl
    }

    /// Revokes a lease, deleting its keys in one revision.
    /// - Throws: `KVError.leaseNotFound`, `.storage`; the lease is then kept.
    package func revoke(_ id: LeaseID) async throws {
        try await write { state throws(KVError) in ((), try state.revoke(id)) }
    }

    /// Remaining whole seconds (truncated, like etcd), the granted TTL and optionally the keys.
    /// - Throws: `KVError.leaseNotFound`.
    package func timeToLive(_ id: LeaseID, keys: Bool) async throws -> LeaseStatus {
        let (status, followups) = try core.withLock { core throws(KVError) in
            try checkOpen(core)
            let followups = expireLeases(&core)
            guard let entry = core.state.leases[id] else { return (LeaseStatus?.none, followups) }
            // etcd truncates the remaining time to whole seconds.
            let remaining = max(0, Int64((entry.deadline - configuration.clock.now).seconds))
            let attached = keys ? entry.keys.sorted(by: ByteOrder.less) : []
            return (LeaseStatus(id: id, ttl: remaining, grantedTTL: entry.ttl, keys: attached), followups)
        }
        run(followups)
        guard let status else { throw KVError.leaseNotFound(id) }
        return status
    }

    /// Time left on each of `ids` that is still alive, to the nanosecond (v2's `ttl` rounds it up).
    package func remaining(_ ids: Set<LeaseID>) -> [LeaseID: Duration] {
        let now = configuration.clock.now
        return core.withLock { core in
            var result: [LeaseID: Duration] = [:]
            for id in ids { if let entry = core.state.leases[id] { result[id] = max(.zero, entry.deadline - now) } }
            return result
        }
    }

    /// Revokes every lease past its deadline, each in its own revision (as etcd does).
    ///
    /// After the log has failed, expiry goes on in memory: a router must not keep routing to an instance
    /// whose announcer died just because the store's disk is full. Those deletes are published to readers and
    /// watchers but not logged; after a restart the leases come back with their full TTL (as after any restart)
    /// and expire again unless someone keeps them alive, so the outcome is the same.
    func expireLeases(_ core: inout Core) -> Followups {
        var followups = Followups()
        guard !core.closed else { return followups }
        guard core.failure == nil else {
            let expired = core.state.expire(now: configuration.clock.now)
            guard !expired.isEmpty else { return followups }
            core.state.retain(upTo: core.state.revision)
            let old = core.durableRevision
            core.durableRevision = core.state.revision
            followups.endings = deliver(&core, after: old)
            followups.expiredInMemory = expired.count
            return followups
        }
        for body in core.state.expire(now: configuration.clock.now) {
            followups.merge(commit(body, &core))
        }
        return followups
    }

    func startTicker() {
        let interval = configuration.expiryInterval
        let task = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                run(core.withLock { core in expireLeases(&core) })
            }
        }
        ticker.withLock { $0 = task }
    }
}

extension MemoryStore.State {
    /// etcd's largest lease TTL, in seconds.
    static let maxLeaseTTL: Int64 = 9_000_000_000

    mutating func grant(ttl: Int64, id: LeaseID?, now: Duration) throws(KVError) -> (Lease, WALRecord.Body?) {
        guard ttl > 0 else { throw .invalidRequest("lease TTL must be positive, got \(ttl)") }
        guard ttl <= Self.maxLeaseTTL else { throw .invalidRequest("lease TTL is too large (\(ttl) s)") }
        var chosen = id ?? LeaseID(0)
        guard chosen.rawValue >= 0 else { throw .invalidRequest("lease ID must not be negative") }
        if chosen.rawValue == 0 {
            repeat { chosen = LeaseID(Int64.random(in: 1...Int64.max)) } while leases.contains(chosen)
        } else if leases.contains(chosen) {
            throw .leaseExists(chosen)
        }
        leases.grant(chosen, ttl: ttl, now: now)
        return (Lease(id: chosen, ttl: ttl), .grant(chosen, ttl: ttl))
    }

    /// Removes a lease and deletes its keys in one revision (none when it held no keys).
    mutating func revoke(_ id: LeaseID) throws(KVError) -> WALRecord.Body {
        guard let entry = leases.remove(id) else { throw .leaseNotFound(id) }
        guard !entry.keys.isEmpty else { return .revoke(id) }
        beginWrite()
        for key in entry.keys.sorted(by: ByteOrder.less) { remove(key, at: revision + 1) }
        guard let changes = finishWrite() else { return .revoke(id) }
        return .write(revision: revision, changes: changes, revokedLease: id)
    }

    mutating func expire(now: Duration) -> [WALRecord.Body] {
        leases.expired(now: now).compactMap { id in try? revoke(id) }
    }
}
