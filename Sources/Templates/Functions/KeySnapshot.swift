/// Templates see data only through this: a read-only, consistent view of keys and values.
/// The router builds one per render from a single store read; functions never hold a store.
/// Proved for every conformer by Tests/TemplatesTests/KeySnapshotContractTests.swift.
package protocol KeySnapshot: Sendable {
    /// The value stored at exactly `key`, or nil.
    func value(of key: String) -> String?
    /// Every key that starts with `prefix` (a plain string prefix), in byte order.
    func keys(under prefix: String) -> ArraySlice<String>
}

/// A `KeySnapshot` built once from a dictionary: keys sorted once, so each `ls`, `lsdir`,
/// `gets` and `getvs` call costs a binary search plus the keys it returns, instead of a scan
/// of every key as confd's store does.
package struct SortedKeySnapshot: KeySnapshot {
    private let sortedKeys: [String]
    /// Values in `sortedKeys` order, so range reads need no hashing.
    private let sortedValues: [String]
    private let values: [String: String]
    /// Whether every key is a clean absolute path (no `//`, `.`/`..` terms or trailing `/`), so
    /// the keys below `/a/b/` are exactly those in directory `/a/b` and listings may skip them whole.
    let allKeysClean: Bool

    /// Indexes `pairs` (key to value), as read from the store in one revision. Keys are stored as confd
    /// stores them, `path.Join("/", key)`: `/a/`, `//a`, `/x/../a` and `a` all become `/a`. When two keys
    /// clean to the same one, the value of the larger original key wins (confd's pick is random).
    package init(_ pairs: [String: String]) {
        var cleaned = pairs
        if !pairs.keys.allSatisfy(Self.isStoredClean) {
            cleaned = [:]
            cleaned.reserveCapacity(pairs.count)
            for key in pairs.keys.sorted(by: goLess) {
                cleaned[Self.isStoredClean(key) ? key : GoPath.clean("/" + key)] = pairs[key]
            }
        }
        values = cleaned
        // For ASCII keys (nearly always) String's `<` is byte order and runs as a specialised memcmp,
        // several times faster than sorting through the `goLess` closure.
        var keys = Array(cleaned.keys)
        if keys.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) {
            keys.sort()
        } else {
            keys.sort(by: goLess)
        }
        sortedKeys = keys
        sortedValues = keys.map { cleaned[$0] ?? "" }
        allKeysClean = true
    }

    /// Whether `path.Join("/", key)` leaves `key` as it is.
    private static func isStoredClean(_ key: String) -> Bool {
        key.utf8.first == UInt8(ascii: "/") && isCleanPath(Substring(key))
    }

    /// How many keys the snapshot holds.
    package var count: Int { sortedKeys.count }

    package func value(of key: String) -> String? { values[key] }

    package func keys(under prefix: String) -> ArraySlice<String> {
        sortedKeys[range(under: prefix)]
    }

    /// `keys(under:)` and their values, in the same order, from one search.
    func entries(under prefix: String) -> (keys: ArraySlice<String>, values: ArraySlice<String>) {
        let r = range(under: prefix)
        return (sortedKeys[r], sortedValues[r])
    }

    private func range(under prefix: String) -> Range<Int> {
        if prefix.isEmpty { return 0..<sortedKeys.count }
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
        return start..<low
    }
}

/// Whether a path has no empty, "." or ".." terms after its first byte and no trailing slash.
func isCleanPath(_ path: Substring) -> Bool {
    var termLength = 0
    var dots = 0
    var first = true
    for byte in path.utf8 {
        if byte == UInt8(ascii: "/") {
            if !first && (termLength == 0 || dots == termLength && dots <= 2) { return false }
            first = false
            termLength = 0
            dots = 0
        } else {
            termLength += 1
            if byte == UInt8(ascii: ".") { dots += 1 }
        }
    }
    return first || !(termLength == 0 || dots == termLength && dots <= 2)
}
