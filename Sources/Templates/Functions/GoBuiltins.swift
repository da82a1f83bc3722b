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
            case .none: throw FunctionError.failed("len of nil pointer")
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

    /// Go's `evalArgs` for the escapers: a lone string as is, otherwise `fmt.Sprint`.
    private static func evalArgs(_ args: [Value]) throws(FunctionError) -> String {
        if args.count == 1, case .string(let s) = args[0] { return s }
        return try GoFormat.sprint(args)
    }

    private static func index(_ args: [Value]) throws -> Value {
        try expectAtLeast(args, 1)
        var item = args[0]
        guard case .none = item, args.count > 1 else {
            for key in args.dropFirst() {
                switch item {
                case .list(let items, _):
                    let i = try indexInt(key)
                    guard i >= 0 && i < items.count else {
                        throw FunctionError.failed("index out of range: \(i)")
                    }
                    item = items[i]
                case .string(let s):
                    let bytes = Array(s.utf8)
                    let i = try indexInt(key)
                    guard i >= 0 && i < bytes.count else {
                        throw FunctionError.failed("index out of range: \(i)")
                    }
                    item = .int(Int(bytes[i]))
                case .map(let map):
                    guard case .string(let k) = key else {
                        throw FunctionError.failed(
                            "value has type \(key.goTypeName); should be string")
                    }
                    item = map[k] ?? .none
                case .none:
                    throw FunctionError.failed("index of untyped nil")
                default:
                    throw FunctionError.failed("can't index item of type \(item.goTypeName)")
                }
            }
            return item
        }
        throw FunctionError.failed("index of untyped nil")
    }

    private static func indexInt(_ key: Value) throws -> Int {
        switch key {
        case .int(let i): return i
        case .none: throw FunctionError.failed("cannot index slice/array with nil")
        default: throw FunctionError.failed("cannot index slice/array with type \(key.goTypeName)")
        }
    }

    private static func slice(_ args: [Value]) throws -> Value {
        try expectAtLeast(args, 1)
        let bounds = try args.dropFirst().map(indexInt)
        guard bounds.count <= 3 else { throw FunctionError.failed("too many slice indexes: \(bounds.count)") }
        func check(_ count: Int) throws -> (Int, Int) {
            let low = bounds.first ?? 0
            let high = bounds.count > 1 ? bounds[1] : count
            guard low >= 0, high <= count else {
                throw FunctionError.failed("index out of range: \(low > count ? low : high)")
            }
            guard low <= high else { throw FunctionError.failed("invalid slice index: \(low) > \(high)") }
            return (low, high)
        }
        switch args[0] {
        case .string(let s):
            if bounds.count == 3 { throw FunctionError.failed("cannot 3-index slice a string") }
            let bytes = Array(s.utf8)
            let (low, high) = try check(bytes.count)
            return .string(String(decoding: bytes[low..<high], as: UTF8.self))
        case .list(let items, let kind):
            let (low, high) = try check(items.count)
            return .list(Array(items[low..<high]), kind)
        case .none: throw FunctionError.failed("slice of untyped nil")
        default: throw FunctionError.failed("can't slice item of type \(args[0].goTypeName)")
        }
    }
}
