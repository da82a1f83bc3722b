import Platform

extension MemoryStore {
    /// Every live key in byte order, so ranges are a binary search and a slice.
    ///
    /// A sorted array rather than a tree: lookups and range scans dominate, and inserting a new
    /// key costs one memmove of pointers, cheap at the key counts a router store holds.
    struct KeyIndex {
        private(set) var keys: [[UInt8]] = []

        /// The position of the first key not below `key`.
        func lowerBound(_ key: [UInt8]) -> Int {
            var low = 0
            var high = keys.count
            while low < high {
                let mid = (low + high) / 2
                if ByteOrder.less(keys[mid], key) { low = mid + 1 } else { high = mid }
            }
            return low
        }

        /// Adds a key known to sort after every present key (recovery loads keys in order).
        mutating func append(_ key: [UInt8]) { keys.append(key) }

        /// Adds a key that is not yet present.
        mutating func insert(_ key: [UInt8]) {
            keys.insert(key, at: lowerBound(key))
        }

        mutating func remove(_ key: [UInt8]) {
            let position = lowerBound(key)
            if position < keys.count, keys[position] == key { keys.remove(at: position) }
        }

        /// The positions of the keys in `range`.
        func positions(of range: KeyRange) -> Range<Int> {
            let start = lowerBound(range.start)
            let end: Int
            switch range.end {
            case .single: end = start < keys.count && keys[start] == range.start ? start + 1 : start
            case .unbounded: end = keys.count
            case .before(let limit): end = max(start, lowerBound(limit))
            }
            return start..<end
        }
    }
}

/// Byte-wise key order, as etcd orders keys (never `String` order).
enum ByteOrder {
    static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool { Posix.compareBytes(a, b) < 0 }
}
