/// A granted lease.
package struct Lease: Sendable, Hashable {
    package var id: LeaseID
    /// The TTL granted, in seconds.
    package var ttl: Int64
    package init(id: LeaseID, ttl: Int64) {
        self.id = id
        self.ttl = ttl
    }
}

/// What `timeToLive` reports of a lease.
package struct LeaseStatus: Sendable, Hashable {
    package var id: LeaseID
    /// Seconds left before expiry.
    package var ttl: Int64
    /// The TTL the lease was granted with.
    package var grantedTTL: Int64
    /// Attached keys, when asked for.
    package var keys: [[UInt8]]
    package init(id: LeaseID, ttl: Int64, grantedTTL: Int64, keys: [[UInt8]] = []) {
        self.id = id
        self.ttl = ttl
        self.grantedTTL = grantedTTL
        self.keys = keys
    }
}
