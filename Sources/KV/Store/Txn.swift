/// One comparison of a transaction's guard, on every key in `range` (etcd `Compare`).
package struct Compare: Sendable, Hashable {
    package enum Target: Sendable, Hashable {
        case value([UInt8])
        case version(Int64)
        case createRevision(Revision)
        case modRevision(Revision)
        case lease(LeaseID?)
    }
    package enum Result: Sendable, Hashable {
        case equal, notEqual, greater, less
    }

    package var range: KeyRange
    package var target: Target
    package var result: Result

    package init(_ range: KeyRange, _ result: Result, _ target: Target) {
        self.range = range
        self.target = target
        self.result = result
    }
}

/// One operation inside a transaction branch.
package enum TxnOp: Sendable, Hashable {
    case range(RangeRequest)
    case put(PutRequest)
    case delete(DeleteRequest)
    /// A nested transaction (etcd `request_txn`).
    indirect case txn(Txn)
}

/// The result of one `TxnOp`, in the same position.
package enum TxnOpResult: Sendable, Hashable {
    case range(RangeResult)
    case put(PutResult)
    case delete(DeleteResult)
    indirect case txn(TxnResult)
}

/// An atomic compare-then-act transaction: all writes in it share one new revision.
package struct Txn: Sendable, Hashable {
    package var compare: [Compare]
    package var success: [TxnOp]
    package var failure: [TxnOp]
    package init(compare: [Compare] = [], success: [TxnOp] = [], failure: [TxnOp] = []) {
        self.compare = compare
        self.success = success
        self.failure = failure
    }
}

/// The answer to a `Txn`.
package struct TxnResult: Sendable, Hashable {
    /// Whether every comparison held, so `success` ran.
    package var succeeded: Bool
    package var responses: [TxnOpResult]
    /// The store's revision after the transaction.
    package var revision: Revision
    package init(succeeded: Bool, responses: [TxnOpResult], revision: Revision) {
        self.succeeded = succeeded
        self.responses = responses
        self.revision = revision
    }
}
