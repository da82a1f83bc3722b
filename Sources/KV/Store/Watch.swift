/// One change seen by a watch.
package struct WatchEvent: Sendable, Hashable {
    package enum Kind: Sendable, Hashable { case put, delete }
    package var kind: Kind
    /// The key after the change; for a delete, the key with `modRevision` = the delete's revision and no value.
    package var kv: KeyValue
    /// The key before the change, when the watch asked for it and it existed.
    package var prevKV: KeyValue?
    package init(kind: Kind, kv: KeyValue, prevKV: KeyValue? = nil) {
        self.kind = kind
        self.kv = kv
        self.prevKV = prevKV
    }
}

/// Events of one or more revisions, delivered together and in revision order.
package struct WatchBatch: Sendable, Hashable {
    package var events: [WatchEvent]
    /// The store's revision when the batch was sent.
    package var revision: Revision
    package init(events: [WatchEvent], revision: Revision) {
        self.events = events
        self.revision = revision
    }
}

/// What a watch asks for.
package struct WatchRequest: Sendable, Hashable {
    package var range: KeyRange
    /// First revision to deliver; 0 means "from the next write on".
    package var startRevision: Revision
    package var prevKV: Bool
    /// etcd's watch filters: leave out PUT events (`NOPUT`) or DELETE events (`NODELETE`).
    package var noPut = false
    package var noDelete = false
    package init(
        _ range: KeyRange, from startRevision: Revision = 0, prevKV: Bool = false, noPut: Bool = false,
        noDelete: Bool = false
    ) {
        self.range = range
        self.startRevision = startRevision
        self.prevKV = prevKV
        self.noPut = noPut
        self.noDelete = noDelete
    }
}

/// Batches in revision order. It ends by throwing `KVError.compacted` when the asked history is gone,
/// or another `KVError` when the store is lost; cancelling the consuming task stops the watch.
package typealias WatchStream = AsyncThrowingStream<WatchBatch, any Error>
