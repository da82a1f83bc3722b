/// A read of a key range, optionally at a past revision.
package struct RangeRequest: Sendable, Hashable {
    package var range: KeyRange
    /// Read as of this revision; nil reads the latest.
    package var revision: Revision?
    /// At most this many keys; 0 means no limit.
    package var limit: Int
    package var keysOnly: Bool
    package var countOnly: Bool
    /// etcd's `min_/max_mod_revision` and `min_/max_create_revision`: keys outside are left out of `kvs`
    /// (not of `count`, as in etcd), before `limit` applies.
    package var filter = RevisionFilter()

    package init(
        _ range: KeyRange, revision: Revision? = nil, limit: Int = 0, keysOnly: Bool = false, countOnly: Bool = false
    ) {
        self.range = range
        self.revision = revision
        self.limit = limit
        self.keysOnly = keysOnly
        self.countOnly = countOnly
    }
}

/// The answer to a `RangeRequest`.
package struct RangeResult: Sendable, Hashable {
    /// Matching keys in byte order (empty when `countOnly`).
    package var kvs: [KeyValue]
    /// How many keys matched in total, ignoring `limit`.
    package var count: Int
    /// Whether `limit` cut the answer short.
    package var more: Bool
    /// The store's current revision when the read was served.
    package var revision: Revision

    package init(kvs: [KeyValue], count: Int, more: Bool, revision: Revision) {
        self.kvs = kvs
        self.count = count
        self.more = more
        self.revision = revision
    }
}

/// A write of one key.
package struct PutRequest: Sendable, Hashable {
    package var key: [UInt8]
    package var value: [UInt8]
    package var lease: LeaseID?
    package var prevKV: Bool
    /// Keep the current value (etcd `ignore_value`); fails if the key does not exist.
    package var ignoreValue: Bool
    /// Keep the current lease (etcd `ignore_lease`); fails if the key does not exist.
    package var ignoreLease: Bool

    package init(
        key: [UInt8], value: [UInt8], lease: LeaseID? = nil, prevKV: Bool = false, ignoreValue: Bool = false,
        ignoreLease: Bool = false
    ) {
        self.key = key
        self.value = value
        self.lease = lease
        self.prevKV = prevKV
        self.ignoreValue = ignoreValue
        self.ignoreLease = ignoreLease
    }
}

/// The answer to a `PutRequest`.
package struct PutResult: Sendable, Hashable {
    package var revision: Revision
    package var prevKV: KeyValue?
    package init(revision: Revision, prevKV: KeyValue? = nil) {
        self.revision = revision
        self.prevKV = prevKV
    }
}

/// A deletion of a key range.
package struct DeleteRequest: Sendable, Hashable {
    package var range: KeyRange
    package var prevKV: Bool
    package init(_ range: KeyRange, prevKV: Bool = false) {
        self.range = range
        self.prevKV = prevKV
    }
}

/// The answer to a `DeleteRequest`.
package struct DeleteResult: Sendable, Hashable {
    package var revision: Revision
    package var deleted: Int64
    package var prevKVs: [KeyValue]
    package init(revision: Revision, deleted: Int64, prevKVs: [KeyValue] = []) {
        self.revision = revision
        self.deleted = deleted
        self.prevKVs = prevKVs
    }
}

/// Bounds on a key's revisions for a range read; 0 means no bound, as in etcd.
package struct RevisionFilter: Sendable, Hashable {
    package var minModRevision: Revision = 0
    package var maxModRevision: Revision = 0
    package var minCreateRevision: Revision = 0
    package var maxCreateRevision: Revision = 0

    package init() {}

    package var isActive: Bool {
        minModRevision != 0 || maxModRevision != 0 || minCreateRevision != 0 || maxCreateRevision != 0
    }

    package func admits(_ kv: KeyValue) -> Bool {
        (minModRevision == 0 || kv.modRevision >= minModRevision)
            && (maxModRevision == 0 || kv.modRevision <= maxModRevision)
            && (minCreateRevision == 0 || kv.createRevision >= minCreateRevision)
            && (maxCreateRevision == 0 || kv.createRevision <= maxCreateRevision)
    }
}
