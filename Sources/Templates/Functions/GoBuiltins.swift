/// Go's predefined template functions (`and`, `or` are evaluated lazily by the executor).
extension FunctionSet {
    /// `and or not len index slice eq ne lt le gt ge print printf println html js urlquery`.
    package static let goBuiltins = FunctionSet([
        "and": { args in args.first(where: { !$0.isTrue }) ?? args.last ?? .none },
        "or": { args in args.first(where: { $0.isTrue }) ?? args.last ?? .none },
        "not": { args in
            try expectCount(args, 1)
            return .bool(!args[0].isTrue)
        },
        "len": { args in
            try expectCount(args, 1)
            switch args[0] {
            case .string(let s): return .int(s.utf8.count)
            case .list(let l, _): return .int(l.count)
            case .map(let m): return .int(m.count)
            // Go 1.19 asks an invalid reflect.Value for its type here, and reports the panic.
            case .none: throw FunctionError.failed("reflect: call of reflect.Value.Type on zero Value")
            default: throw FunctionError.failed("len of type \(args[0].goTypeName)")
            }
        },
        "index": { args in try index(args) },
        "slice": { args in try slice(args) },
        "eq": { args in try GoComparison.eq(args) },
        "ne": { args in
            try expectCount(args, 2)
            return .bool(!(try GoComparison.equal(args[0], args[1])))
        },
        "lt": { args in try GoComparison.ordered(args) { less, _ in less } },
        "le": { args in try GoComparison.ordered(args) { $0 || $1 } },
        "gt": { args in try GoComparison.ordered(args) { !$0 && !$1 } },
        "ge": { args in try GoComparison.ordered(args) { less, _ in !less } },
        "print": { args in .string(try GoFormat.sprint(args)) },
        "printf": { args in
            try expectAtLeast(args, 1)
            return .string(try GoFormat.sprintf(try args[0].asString(), Array(args.dropFirst())))
        },
        "println": { args in .string(try GoFormat.sprintln(args)) },
        "html": { args in .string(GoEscape.html(try evalArgs(args))) },
        "js": { args in .string(GoEscape.js(try evalArgs(args))) },
        "urlquery": { args in .string(GoEscape.urlQuery(try evalArgs(args))) },
    ])

    /// Go's `evalArgs` for the escapers: a lone string as is, otherwise `fmt.Sprint` with nil shown as
    /// `<no value>` (Go's `printableValue`).
    private static func evalArgs(_ args: [Value]) throws(FunctionError) -> String {
        if args.count == 1, case .string(let s) = args[0] { return s }
        return try GoFormat.sprint(args.map { if case .none = $0 { .string("<no value>") } else { $0 } })
    }

    /// Go's `indexArg`: an int index within `0...bound`.
    private static func indexArgument(_ key: Value, _ bound: Int) throws(FunctionError) -> Int {
        let x: Int
        switch key {
        case .int(let i), .namedInt(let i, _): x = i
        case .none: throw .failed("cannot index slice/array with nil")
        default: throw .failed("cannot index slice/array with type \(key.goTypeName)")
        }
        guard x >= 0 && x <= bound else { throw .failed("index out of range: \(x)") }
        return x
    }

    private static func index(_ args: [Value]) throws(FunctionError) -> Value {
        try expectAtLeast(args, 1)
        var item = args[0]
        if case .none = item { throw .failed("index of untyped nil") }
        for key in args.dropFirst() {
            switch item {
            case .none:
                throw .failed("index of nil pointer")
            case .list(let items, _):
                let i = try indexArgument(key, items.count)
                // Go 1.19 lets the index equal the length through, and reflect then panics.
                guard i < items.count else { throw .failed("reflect: slice index out of range") }
                item = items[i]
            case .string(let s):
                let bytes = Array(s.utf8)
                let i = try indexArgument(key, bytes.count)
                guard i < bytes.count else { throw .failed("reflect: string index out of range") }
                item = .int(Int(bytes[i]))
            case .map(let map):
                switch key {
                case .string(let k): item = map[k] ?? .none
                case .none: throw .failed("value is nil; should be of type string")
                default: throw .failed("value has type \(key.goTypeName); should be string")
                }
            default:
                throw .failed("can't index item of type \(item.goTypeName)")
            }
        }
        return item
    }

    private static func slice(_ args: [Value]) throws(FunctionError) -> Value {
        try expectAtLeast(args, 1)
        let indexes = args.dropFirst()
        if case .none = args[0] { throw .failed("slice of untyped nil") }
        guard indexes.count <= 3 else { throw .failed("too many slice indexes: \(indexes.count)") }
        let count: Int
        switch args[0] {
        case .string(let s):
            if indexes.count == 3 { throw .failed("cannot 3-index slice a string") }
            count = s.utf8.count
        case .list(let items, _): count = items.count
        default: throw .failed("can't slice item of type \(args[0].goTypeName)")
        }
        var bounds = [0, count, count]
        for (i, key) in indexes.enumerated() { bounds[i] = try indexArgument(key, count) }
        guard bounds[0] <= bounds[1] else { throw .failed("invalid slice index: \(bounds[0]) > \(bounds[1])") }
        if indexes.count == 3, bounds[1] > bounds[2] {
            throw .failed("invalid slice index: \(bounds[1]) > \(bounds[2])")
        }
        switch args[0] {
        case .string(let s): return .string(String(decoding: Array(s.utf8)[bounds[0]..<bounds[1]], as: UTF8.self))
        case .list(let items, let kind): return .list(Array(items[bounds[0]..<bounds[1]]), kind)
        default: return .none
        }
    }
}
