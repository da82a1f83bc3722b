/// A lease identifier; 0 on the wire means "no lease".
package struct LeaseID: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var rawValue: Int64
    package init(_ rawValue: Int64) { self.rawValue = rawValue }
    package static func < (a: LeaseID, b: LeaseID) -> Bool { a.rawValue < b.rawValue }
    package var description: String { String(rawValue) }
}

/// One stored key with etcd's bookkeeping.
package struct KeyValue: Sendable, Hashable {
    package var key: [UInt8]
    package var value: [UInt8]
    /// Revision of the write that created the key (since its last deletion).
    package var createRevision: Revision
    /// Revision of the last write to the key.
    package var modRevision: Revision
    /// Number of writes since creation; 1 after the first put.
    package var version: Int64
    /// The lease the key is attached to, if any.
    package var lease: LeaseID?

    package init(
        key: [UInt8], value: [UInt8], createRevision: Revision, modRevision: Revision, version: Int64,
        lease: LeaseID? = nil
    ) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.lease = lease
    }

    /// The key as text (invalid UTF-8 is replaced, for display only).
    package var keyString: String { String(decoding: key, as: UTF8.self) }
    /// The value as text (invalid UTF-8 is replaced, for display only).
    package var valueString: String { String(decoding: value, as: UTF8.self) }
}
