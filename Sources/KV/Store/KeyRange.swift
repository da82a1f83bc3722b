/// A store revision: grows by one with every write transaction, never reused.
package typealias Revision = Int64

/// The keys an operation touches, with etcd's `key`/`range_end` meaning.
package struct KeyRange: Sendable, Hashable, CustomStringConvertible {
    /// Where the range ends.
    package enum End: Sendable, Hashable {
        /// Just `start` itself (etcd: empty `range_end`).
        case single
        /// Every key `>= start` (etcd: `range_end` is a single zero byte).
        case unbounded
        /// Keys in `start..<end` (byte order).
        case before([UInt8])
    }

    package var start: [UInt8]
    package var end: End

    package init(start: [UInt8], end: End) {
        self.start = start
        self.end = end
    }

    /// Exactly one key.
    package static func key(_ key: [UInt8]) -> KeyRange { KeyRange(start: key, end: .single) }
    /// Exactly one key.
    package static func key(_ key: String) -> KeyRange { .key(Array(key.utf8)) }
    /// Every key that starts with `prefix`; an empty prefix means every key.
    package static func prefix(_ prefix: [UInt8]) -> KeyRange {
        if let end = prefixEnd(prefix) { return KeyRange(start: prefix, end: .before(end)) }
        return KeyRange(start: prefix, end: .unbounded)
    }
    /// Every key that starts with `prefix`.
    package static func prefix(_ prefix: String) -> KeyRange { .prefix(Array(prefix.utf8)) }

    /// Decodes etcd's pair: empty `rangeEnd` is one key, `[0]` is "to the end".
    package init(key: [UInt8], rangeEnd: [UInt8]) {
        if rangeEnd.isEmpty {
            self.init(start: key, end: .single)
        } else if rangeEnd == [0] {
            self.init(start: key, end: .unbounded)
        } else {
            self.init(start: key, end: .before(rangeEnd))
        }
    }

    /// etcd's `range_end` bytes for this range.
    package var rangeEnd: [UInt8] {
        switch end {
        case .single: []
        case .unbounded: [0]
        case .before(let end): end
        }
    }

    /// Whether `key` falls inside this range (byte-wise comparison, like etcd).
    package func contains(_ key: [UInt8]) -> Bool {
        switch end {
        case .single: return key == start
        case .unbounded: return !key.lexicographicallyPrecedes(start)
        case .before(let end): return !key.lexicographicallyPrecedes(start) && key.lexicographicallyPrecedes(end)
        }
    }

    package var description: String {
        let s = String(decoding: start, as: UTF8.self)
        switch end {
        case .single: return s
        case .unbounded: return "\(s)..."
        case .before(let e): return "\(s)..<\(String(decoding: e, as: UTF8.self))"
        }
    }

    /// The smallest key greater than every key with this prefix; nil when there is none (all 0xff).
    package static func prefixEnd(_ prefix: [UInt8]) -> [UInt8]? {
        var end = prefix
        while let last = end.last {
            if last < 0xff {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return nil
    }
}
