import Foundation

/// A key and its value, as confd's `get`/`gets` return them (`.Key`, `.Value`).
package struct KVPair: Sendable, Hashable {
    package var key: String
    package var value: String

    /// A pair as the store holds it.
    package init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// One DNS SRV record, as confd's `lookupSRV` returns it.
package struct SRVRecord: Sendable, Hashable {
    package var target: String
    package var port: Int
    package var priority: Int
    package var weight: Int

    /// A record with every field given.
    package init(target: String, port: Int, priority: Int, weight: Int) {
        self.target = target
        self.port = port
        self.priority = priority
        self.weight = weight
    }
}

/// The named int types `datetime`'s methods return.
package enum NamedInt: Sendable, Hashable {
    case month, weekday
}

/// The Go type a list stands for; functions such as `reverse` and `join` accept only some.
package enum ListKind: Sendable, Hashable {
    /// `[]string` (`split`, `ls`, `getvs`, ...).
    case strings
    /// `[]interface {}` (`jsonArray`, nested JSON arrays).
    case interfaces
    /// `[]int` (`seq`).
    case ints
    /// `memkv.KVPairs`, what `gets` returns: a named type that `reverse` leaves alone.
    case kvPairs
    /// `[]memkv.KVPair`, what `sortKVByLength` returns.
    case kvPairSlice
    /// `[]*net.SRV` (`lookupSRV`).
    case srvRecords
}

/// A value inside a template: the few Go types templates and confd's functions produce.
package enum Value: Sendable {
    /// Go's nil (an absent map entry, nil data); actions print it as `<no value>`.
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list([Value], ListKind)
    /// `map[string]interface {}`; ranged over in sorted key order, as Go does.
    case map([String: Value])
    case pair(KVPair)
    indirect case srv(SRVRecord)
    /// `time.Time` (`datetime`), with the zone it is shown in.
    indirect case time(Date, TimeZone)
    /// `complex128`, from a constant such as `1i`.
    case complex(Double, Double)
    /// An int of a named Go type with a `String` method (`time.Month`, `time.Weekday`).
    case namedInt(Int, NamedInt)

    /// The Go type name, as `%T` and Go's error messages spell it.
    package var goTypeName: String {
        switch self {
        case .none: "<nil>"
        case .bool: "bool"
        case .int: "int"
        case .float: "float64"
        case .string: "string"
        case .list(_, let kind):
            switch kind {
            case .strings: "[]string"
            case .interfaces: "[]interface {}"
            case .ints: "[]int"
            case .kvPairs: "memkv.KVPairs"
            case .kvPairSlice: "[]memkv.KVPair"
            case .srvRecords: "[]*net.SRV"
            }
        case .map: "map[string]interface {}"
        case .pair: "memkv.KVPair"
        case .srv: "*net.SRV"
        case .time: "time.Time"
        case .complex: "complex128"
        case .namedInt(_, .month): "time.Month"
        case .namedInt(_, .weekday): "time.Weekday"
        }
    }

    /// Go's truth: false, 0, nil and empty strings, lists and maps are false.
    package var isTrue: Bool {
        switch self {
        case .none: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .float(let f): f != 0
        case .string(let s): !s.isEmpty
        case .list(let l, _): !l.isEmpty
        case .map(let m): !m.isEmpty
        case .complex(let re, let im): re != 0 || im != 0
        case .namedInt(let n, _): n != 0
        case .pair, .srv, .time: true
        }
    }

    /// A `[]string` list.
    package static func strings(_ items: [String]) -> Value {
        .list(items.map { .string($0) }, .strings)
    }
}

extension Value {
    var isNil: Bool {
        if case .none = self { return true }
        return false
    }

    /// Whether lists and maps nest at most `levels` deep in this value (a scalar is 0 deep, `[1]` 1).
    /// Stops descending past the limit, so it never recurses deeper than `levels + 1`.
    func nestsWithin(_ levels: Int) -> Bool {
        switch self {
        case .list(let items, let kind):
            guard levels >= 1 else { return false }
            return kind != .interfaces || items.allSatisfy { $0.nestsWithin(levels - 1) }  // typed lists hold scalars
        case .map(let map):
            guard levels >= 1 else { return false }
            return map.values.allSatisfy { $0.nestsWithin(levels - 1) }
        default:
            return true
        }
    }
}
