/// Go's `eq`/`ne`/`lt`/... rules: basic kinds compare by value; ints and floats never mix
/// ("incompatible types for comparison"); only `eq`/`ne` accept non-basic kinds, by identity.
enum GoComparison {
    private enum Basic {
        case bool(Bool), int(Int), float(Double), string(String), complex(Double, Double)
    }

    private static func basic(_ v: Value) -> Basic? {
        switch v {
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .float(let f): .float(f)
        case .string(let s): .string(s)
        case .complex(let re, let im): .complex(re, im)
        default: nil
        }
    }

    /// `eq arg1 arg2...`: true when arg1 equals any of the others.
    static func eq(_ args: [Value]) throws -> Value {
        try expectAtLeast(args, 1)
        guard args.count > 1 else { throw FunctionError.failed("missing argument for comparison") }
        for other in args.dropFirst() where try equal(args[0], other) { return .bool(true) }
        return .bool(false)
    }

    static func equal(_ a: Value, _ b: Value) throws -> Bool {
        switch (basic(a), basic(b)) {
        case let (.bool(x)?, .bool(y)?): return x == y
        case let (.int(x)?, .int(y)?): return x == y
        case let (.float(x)?, .float(y)?): return x == y
        case let (.string(x)?, .string(y)?): return x == y
        case let (.complex(a, b)?, .complex(c, d)?): return a == c && b == d
        case (nil, nil):
            if case .none = a, case .none = b { return true }
            if case .pair(let x) = a, case .pair(let y) = b { return x == y }
            throw FunctionError.failed("non-comparable type \(a.goTypeName): \(try GoFormat.sprint([a]))")
        case (nil, _):
            if case .none = a { return false }
            throw FunctionError.failed("non-comparable type \(a.goTypeName): \(try GoFormat.sprint([a]))")
        case (_, nil):
            if case .none = b { return false }
            throw FunctionError.failed("incompatible types for comparison")
        default:
            throw FunctionError.failed("incompatible types for comparison")
        }
    }

    /// `lt`, `le`, `gt`, `ge`: `decide(less, equal)`.
    static func ordered(_ args: [Value], _ decide: (Bool, Bool) -> Bool) throws -> Value {
        try expectCount(args, 2)
        let (a, b) = (args[0], args[1])
        switch (basic(a), basic(b)) {
        case let (.int(x)?, .int(y)?): return .bool(decide(x < y, x == y))
        case let (.float(x)?, .float(y)?): return .bool(decide(x < y, x == y))
        case let (.string(x)?, .string(y)?): return .bool(decide(goLess(x, y), x == y))
        case (.bool?, .bool?), (.complex?, .complex?): throw FunctionError.failed("invalid type for comparison")
        case (nil, _), (_, nil):
            throw FunctionError.failed(
                basic(a) == nil && basic(b) == nil
                    ? "invalid type for comparison"
                    : "incompatible types for comparison")
        default: throw FunctionError.failed("incompatible types for comparison")
        }
    }
}
