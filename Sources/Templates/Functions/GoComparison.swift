/// Go 1.19's `eq`/`ne`/`lt`/`le`/`gt`/`ge` (text/template/funcs.go): basic kinds compare by value;
/// ints and floats never mix ("incompatible types for comparison"); `lt` and friends refuse any
/// other kind ("invalid type for comparison"); `eq` compares other kinds as Go's `==` does.
enum GoComparison {
    private enum Basic {
        case bool(Bool), int(Int), float(Double), string(String), complex(Double, Double)

        var kind: Int {
            switch self {
            case .bool: 0
            case .int: 1
            case .float: 2
            case .string: 3
            case .complex: 4
            }
        }
    }

    private static func basic(_ v: Value) -> Basic? {
        switch v {
        case .bool(let b): .bool(b)
        case .int(let i), .namedInt(let i, _): .int(i)
        case .float(let f): .float(f)
        case .string(let s): .string(s)
        case .complex(let re, let im): .complex(re, im)
        default: nil
        }
    }

    /// `reflect.Kind` of a non-basic value, as `canCompare` sees it.
    private static func reflectKind(_ v: Value) -> String {
        switch v {
        case .none: "invalid"
        case .list: "slice"
        case .map: "map"
        case .srv: "ptr"
        default: "struct"
        }
    }

    /// `eq arg1 arg2...`: true when arg1 equals any of the others.
    static func eq(_ args: [Value]) throws(FunctionError) -> Value {
        try expectAtLeast(args, 1)
        guard args.count > 1 else { throw .failed("missing argument for comparison") }
        for other in args.dropFirst() where try equal(args[0], other) { return .bool(true) }
        return .bool(false)
    }

    static func equal(_ a: Value, _ b: Value) throws(FunctionError) -> Bool {
        switch (basic(a), basic(b)) {
        case let (.bool(x)?, .bool(y)?): return x == y
        case let (.int(x)?, .int(y)?): return x == y
        case let (.float(x)?, .float(y)?): return x == y
        case let (.string(x)?, .string(y)?): return x == y
        case let (.complex(a, b)?, .complex(c, d)?): return a == c && b == d
        case (nil, nil):
            let (ka, kb) = (reflectKind(a), reflectKind(b))
            guard ka == kb || ka == "invalid" || kb == "invalid" else {
                throw .failed(
                    "non-comparable types \(try GoFormat.format(a, .init(verb: "s"), depth: 0)): \(a.goTypeName), "
                        + "\(b.goTypeName): \(try GoFormat.sprint([b]))")
            }
            if ka == "invalid" || kb == "invalid" { return ka == kb }
            switch (a, b) {
            case (.list, _), (.map, _):
                throw .failed(
                    "non-comparable type \(try GoFormat.format(b, .init(verb: "s"), depth: 0)): \(b.goTypeName)")
            case let (.pair(x), .pair(y)): return x == y
            case let (.srv(x), .srv(y)): return x == y
            case let (.time(x, zx), .time(y, zy)): return x == y && zx == zy
            default: return false
            }
        default:
            // Different kinds: an error unless one side is nil.
            if case .none = a { return false }
            if case .none = b { return false }
            throw .failed("incompatible types for comparison")
        }
    }

    /// `lt`, `le`, `gt`, `ge`: `decide(less, equal)`.
    static func ordered(_ args: [Value], _ decide: (Bool, Bool) -> Bool) throws(FunctionError) -> Value {
        try expectCount(args, 2)
        guard let a = basic(args[0]), let b = basic(args[1]) else { throw .failed("invalid type for comparison") }
        switch (a, b) {
        case let (.int(x), .int(y)): return .bool(decide(x < y, x == y))
        case let (.float(x), .float(y)): return .bool(decide(x < y, x == y))
        case let (.string(x), .string(y)): return .bool(decide(goLess(x, y), x == y))
        default:
            throw .failed(a.kind == b.kind ? "invalid type for comparison" : "incompatible types for comparison")
        }
    }
}
