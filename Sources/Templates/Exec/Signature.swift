/// The Go parameter types template functions declare. Go's executor converts each argument to its
/// parameter's type before the call, and its errors depend on that type: a constant `"3"` for an
/// `int` is `expected integer; found "3"`, a computed `[]string` for a `string` is `wrong type for value`.
enum GoType: Sendable, Equatable {
    case string, int, bool
    /// `[]string`.
    case strings
    /// `[]memkv.KVPair` (what `gets` returns, `memkv.KVPairs`, is assignable to it).
    case kvPairSlice
    /// `interface {}`: anything, constants take their ideal type.
    case any
    /// `reflect.Value`, the builtins' parameter type: like `interface {}`, and nil is allowed.
    case reflectValue

    var name: String {
        switch self {
        case .string: "string"
        case .int: "int"
        case .bool: "bool"
        case .strings: "[]string"
        case .kvPairSlice: "[]memkv.KVPair"
        case .any: "interface {}"
        case .reflectValue: "reflect.Value"
        }
    }

    /// Go's `canBeNil`: slices, maps, interfaces and `reflect.Value` take an untyped nil.
    var canBeNil: Bool {
        switch self {
        case .string, .int, .bool: false
        case .strings, .kvPairSlice, .any, .reflectValue: true
        }
    }

    /// The zero value nil converts to.
    var zero: Value {
        switch self {
        case .strings: .list([], .strings)
        case .kvPairSlice: .list([], .kvPairSlice)
        default: .none
        }
    }

    /// Go's assignability of a computed value to this type; nil when it is not assignable.
    func accepts(_ value: Value) -> Value? {
        switch (self, value) {
        case (.any, _), (.reflectValue, _): value
        case (.string, .string), (.int, .int), (.bool, .bool): value
        case (.strings, .list(_, .strings)): value
        case (.kvPairSlice, .list(let items, .kvPairs)): .list(items, .kvPairSlice)
        case (.kvPairSlice, .list(_, .kvPairSlice)): value
        default: nil
        }
    }
}

/// A function's parameter types, as its Go declaration gives them.
struct Signature: Sendable {
    var parameters: [GoType]
    /// The element type of a final `...T` parameter.
    var variadic: GoType?

    func type(at index: Int) -> GoType {
        index < parameters.count ? parameters[index] : (variadic ?? .any)
    }

    /// Signatures of Go's builtins and confd's functions (template_funcs.go, memkv).
    /// A function missing here (one a caller added) is treated as `func(...interface{})`.
    static func of(_ name: String) -> Signature {
        known[name] ?? Signature(parameters: [], variadic: .any)
    }

    private static let s = GoType.string
    private static let known: [String: Signature] = [
        "and": .init(parameters: [.reflectValue], variadic: .reflectValue),
        "or": .init(parameters: [.reflectValue], variadic: .reflectValue),
        "not": .init(parameters: [.reflectValue]),
        "len": .init(parameters: [.reflectValue]),
        "index": .init(parameters: [.reflectValue], variadic: .reflectValue),
        "slice": .init(parameters: [.reflectValue], variadic: .reflectValue),
        "eq": .init(parameters: [.reflectValue], variadic: .reflectValue),
        "ne": .init(parameters: [.reflectValue, .reflectValue]),
        "lt": .init(parameters: [.reflectValue, .reflectValue]),
        "le": .init(parameters: [.reflectValue, .reflectValue]),
        "gt": .init(parameters: [.reflectValue, .reflectValue]),
        "ge": .init(parameters: [.reflectValue, .reflectValue]),
        "print": .init(parameters: [], variadic: .any),
        "printf": .init(parameters: [s], variadic: .any),
        "println": .init(parameters: [], variadic: .any),
        "html": .init(parameters: [], variadic: .any),
        "js": .init(parameters: [], variadic: .any),
        "urlquery": .init(parameters: [], variadic: .any),
        "base": .init(parameters: [s]),
        "dir": .init(parameters: [s]),
        "split": .init(parameters: [s, s]),
        "json": .init(parameters: [s]),
        "jsonArray": .init(parameters: [s]),
        "map": .init(parameters: [], variadic: .any),
        "getenv": .init(parameters: [s], variadic: s),
        "join": .init(parameters: [.strings, s]),
        "datetime": .init(parameters: []),
        "toUpper": .init(parameters: [s]),
        "toLower": .init(parameters: [s]),
        "contains": .init(parameters: [s, s]),
        "replace": .init(parameters: [s, s, s, .int]),
        "trimSuffix": .init(parameters: [s, s]),
        "lookupIP": .init(parameters: [s]),
        "lookupIPV4": .init(parameters: [s]),
        "lookupIPV6": .init(parameters: [s]),
        "lookupSRV": .init(parameters: [s, s, s]),
        "fileExists": .init(parameters: [s]),
        "base64Encode": .init(parameters: [s]),
        "base64Decode": .init(parameters: [s]),
        "parseBool": .init(parameters: [s]),
        "reverse": .init(parameters: [.any]),
        "sortByLength": .init(parameters: [.strings]),
        "sortKVByLength": .init(parameters: [.kvPairSlice]),
        "add": .init(parameters: [.int, .int]),
        "sub": .init(parameters: [.int, .int]),
        "mul": .init(parameters: [.int, .int]),
        "div": .init(parameters: [.int, .int]),
        "mod": .init(parameters: [.int, .int]),
        "seq": .init(parameters: [.int, .int]),
        "atoi": .init(parameters: [s]),
        "exists": .init(parameters: [s]),
        "get": .init(parameters: [s]),
        "gets": .init(parameters: [s]),
        "getv": .init(parameters: [s], variadic: s),
        "getvs": .init(parameters: [s]),
        "ls": .init(parameters: [s]),
        "lsdir": .init(parameters: [s]),
    ]
}
