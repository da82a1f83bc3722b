/// Templates see data only through this: a read-only, consistent view of keys and values.
/// The router builds one per render from a single store read; functions never hold a store.
/// Proved for every conformer by Tests/TemplatesTests/KeySnapshotContractTests.swift.
package protocol KeySnapshot: Sendable {
    /// The value stored at exactly `key`, or nil.
    func value(of key: String) -> String?
    /// Every key that starts with `prefix` (a plain string prefix), in byte order.
    func keys(under prefix: String) -> [String]
}

/// A `KeySnapshot` built once from a dictionary: keys sorted once, so each `ls`, `lsdir`,
/// `gets` and `getvs` call costs a binary search plus the keys it returns, instead of a scan
/// of every key as confd's store does.
package struct SortedKeySnapshot: KeySnapshot {
    private let sortedKeys: [String]
    private let values: [String: String]

    /// Indexes `pairs` (absolute key to value), as read from the store in one revision.
    package init(_ pairs: [String: String]) {
        values = pairs
        sortedKeys = pairs.keys.sorted(by: goLess)
    }

    /// How many keys the snapshot holds.
    package var count: Int { sortedKeys.count }

    package func value(of key: String) -> String? { values[key] }

    package func keys(under prefix: String) -> [String] {
        if prefix.isEmpty { return sortedKeys }
        // First key >= prefix; then the first key past the run that starts with prefix.
        var low = 0
        var high = sortedKeys.count
        while low < high {
            let mid = (low + high) / 2
            if compareUTF8(sortedKeys[mid], prefix) < 0 { low = mid + 1 } else { high = mid }
        }
        let start = low
        high = sortedKeys.count
        while low < high {
            let mid = (low + high) / 2
            if hasUTF8Prefix(sortedKeys[mid], prefix) { low = mid + 1 } else { high = mid }
        }
        return Array(sortedKeys[start..<low])
    }
}
