import Foundation

/// confd's template functions (resource/template/template_funcs.go plus memkv's store
/// functions), with confd's exact results, ordering and error texts. Store functions read
/// a `KeySnapshot`; the few differences left are listed in notes/templates-README.md.
extension FunctionSet {
    /// Every function confd registers, reading keys from `keys` and the rest from `environment`.
    package static func confd(_ keys: some KeySnapshot, environment: ConfdEnvironment) -> FunctionSet {
        FunctionSet(ConfdStore(keys: keys).functions).merging(FunctionSet(confdHelpers(environment)))
    }

    private static func confdHelpers(_ env: ConfdEnvironment) -> [String: Function] {
        [
            "base": unary { .string(GoPath.base($0)) },
            "dir": unary { .string(GoPath.dir($0)) },
            "split": { args in
                try expectCount(args, 2)
                return .strings(goSplit(try args[0].asString(), try args[1].asString()))
            },
            "join": { args in
                try expectCount(args, 2)
                let (items, separator) = (try args[0].asStrings(), try args[1].asString())
                // A long separator between many items multiplies: check the length before building it.
                let length = items.reduce(0) { $0 + $1.utf8.count }
                let (separators, o1) = separator.utf8.count.multipliedReportingOverflow(by: max(0, items.count - 1))
                let (total, o2) = length.addingReportingOverflow(separators)
                guard !o1, !o2, total <= GoFormat.maximumBytes else { throw GoFormat.tooLarge }
                return .string(items.joined(separator: separator))
            },
            "json": unary { try GoJSON.decode($0, as: .object) },
            "jsonArray": unary { try GoJSON.decode($0, as: .array) },
            "map": { args in
                guard args.count % 2 == 0 else { throw FunctionError.failed("invalid map call") }
                var map: [String: Value] = [:]
                for i in stride(from: 0, to: args.count, by: 2) {
                    guard case .string(let key) = args[i] else {
                        throw FunctionError.failed("map keys must be strings")
                    }
                    // A map put inside a map in a loop would nest without end; printing, comparing or
                    // freeing it recurses once per level.
                    guard args[i + 1].nestsWithin(TemplateLimits.valueNesting - 1) else {
                        throw FunctionError.failed("value nested deeper than \(TemplateLimits.valueNesting) levels")
                    }
                    map[key] = args[i + 1]
                }
                return .map(map)
            },
            "getenv": { args in
                try expectAtLeast(args, 1)
                let key = try args[0].asString()
                let fallback = args.count > 1 ? try args[1].asString() : ""
                for extra in args.dropFirst(2) { _ = try extra.asString() }
                let value = env.variable(key) ?? ""
                return .string(value.isEmpty ? fallback : value)
            },
            "datetime": { args in
                try expectCount(args, 0)
                return .time(env.now(), .current)
            },
            "toUpper": unary { .string(goMapCase($0, upper: true)) },
            "toLower": unary { .string(goMapCase($0, upper: false)) },
            "contains": binary {
                .bool($1.isEmpty || !occurrences(of: Array($1.utf8), in: Array($0.utf8), limit: 1).isEmpty)
            },
            "replace": { args in
                try expectCount(args, 4)
                let (s, old, new) = (try args[0].asString(), try args[1].asString(), try args[2].asString())
                return .string(try goReplace(s, old, new, try args[3].asInt()))
            },
            "trimSuffix": binary { s, suffix in
                let (bytes, tail) = (Array(s.utf8), Array(suffix.utf8))
                guard bytes.count >= tail.count, bytes.suffix(tail.count).elementsEqual(tail) else { return .string(s) }
                return .string(String(decoding: bytes.dropLast(tail.count), as: UTF8.self))
            },
            "lookupIP": unary { .strings(env.lookupIP($0).sorted(by: goLess)) },
            "lookupIPV4": unary { .strings(env.lookupIP($0).sorted(by: goLess).filter { $0.contains(".") }) },
            "lookupIPV6": unary { .strings(env.lookupIP($0).sorted(by: goLess).filter { $0.contains(":") }) },
            "lookupSRV": { args in
                try expectCount(args, 3)
                let records = env.lookupSRV(try args[0].asString(), try args[1].asString(), try args[2].asString())
                let key = { (r: SRVRecord) in "\(r.target)\(r.port)\(r.priority)\(r.weight)" }
                return .list(records.sorted { goLess(key($0), key($1)) }.map { .srv($0) }, .srvRecords)
            },
            "fileExists": unary { .bool(env.fileExists($0)) },
            "base64Encode": unary { .string(Data($0.utf8).base64EncodedString()) },
            "base64Decode": unary { text in .string(String(decoding: try goBase64Decode(text), as: UTF8.self)) },
            "parseBool": unary { text in
                switch text {
                case "1", "t", "T", "TRUE", "true", "True": return .bool(true)
                case "0", "f", "F", "FALSE", "false", "False": return .bool(false)
                default: throw FunctionError.failed("strconv.ParseBool: parsing \(goQuote(text)): invalid syntax")
                }
            },
            "reverse": { args in
                try expectCount(args, 1)
                // Like confd: only []string and []KVPair are reversed; gets' KVPairs type is not.
                if case .list(let items, let kind) = args[0], kind == .strings || kind == .kvPairSlice {
                    return .list(items.reversed(), kind)
                }
                return args[0]
            },
            "sortByLength": { args in
                try expectCount(args, 1)
                let items = try args[0].asStrings()
                return .strings(stableSorted(items) { $0.utf8.count < $1.utf8.count })
            },
            "sortKVByLength": { args in
                try expectCount(args, 1)
                guard case .list(let items, let kind) = args[0], kind == .kvPairs || kind == .kvPairSlice else {
                    throw FunctionError.argumentType(expected: "[]memkv.KVPair", got: args[0].goTypeName)
                }
                let pairs = items.compactMap { if case .pair(let p) = $0 { p } else { nil } }
                return .list(
                    stableSorted(pairs) { $0.key.utf8.count < $1.key.utf8.count }.map { .pair($0) }, .kvPairSlice)
            },
            "add": arithmetic { .int($0 &+ $1) },
            "sub": arithmetic { .int($0 &- $1) },
            "mul": arithmetic { .int($0 &* $1) },
            "div": arithmetic { a, b in
                guard b != 0 else { throw FunctionError.failed("runtime error: integer divide by zero") }
                return .int(a.dividedReportingOverflow(by: b).partialValue)
            },
            "mod": arithmetic { a, b in
                guard b != 0 else { throw FunctionError.failed("runtime error: integer divide by zero") }
                return .int(a.remainderReportingOverflow(dividingBy: b).partialValue)
            },
            "seq": arithmetic { first, last in
                guard first <= last else { return .list([], .ints) }
                // last - first + 1 overflows for seq 0 9223372036854775807; the count is checked first.
                let (span, overflow) = last.subtractingReportingOverflow(first)
                guard !overflow, span < TemplateLimits.seqItems else {
                    throw FunctionError.failed(
                        "seq \(first) \(last): more than \(TemplateLimits.seqItems) items")
                }
                return .list((first...last).map { .int($0) }, .ints)
            },
            "atoi": unary { text in
                guard let n = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text),
                    !text.hasPrefix("+-"), !text.hasPrefix("+") || text.count > 1
                else {
                    let reason = goAtoiOutOfRange(text) ? "value out of range" : "invalid syntax"
                    throw FunctionError.failed("strconv.Atoi: parsing \(goQuote(text)): \(reason)")
                }
                return .int(n)
            },
        ]
    }
}

/// A one-string-argument function.
func unary(_ body: @escaping @Sendable (String) throws -> Value) -> FunctionSet.Function {
    { args in
        try expectCount(args, 1)
        return try body(try args[0].asString())
    }
}

/// A two-string-argument function.
func binary(_ body: @escaping @Sendable (String, String) throws -> Value) -> FunctionSet.Function {
    { args in
        try expectCount(args, 2)
        return try body(try args[0].asString(), try args[1].asString())
    }
}

/// A two-int-argument function (`add`, `seq`, ...).
private func arithmetic(_ body: @escaping @Sendable (Int, Int) throws -> Value) -> FunctionSet.Function {
    { args in
        try expectCount(args, 2)
        return try body(try args[0].asInt(), try args[1].asInt())
    }
}

/// Go's sort.Sort is not stable, but uses insertion sort (stable) for up to 12 items; we
/// keep every tie in input order, which agrees with confd there.
private func stableSorted<T>(_ items: [T], by less: (T, T) -> Bool) -> [T] {
    items.enumerated().sorted { a, b in
        less(a.element, b.element) || (!less(b.element, a.element) && a.offset < b.offset)
    }
    .map(\.element)
}

/// Go's `strings.ToUpper`/`ToLower`: rune by rune with Unicode's simple (one-to-one) mappings, so `ß`
/// stays `ß` and `İ` lowers to `i`. Swift exposes the full mappings; where one is longer than a rune
/// the simple mapping is the rune itself, except for the few listed here.
func goMapCase(_ s: String, upper: Bool) -> String {
    if s.utf8.allSatisfy({ $0 < 0x80 }) { return upper ? s.uppercased() : s.lowercased() }
    var out = String.UnicodeScalarView()
    for scalar in s.unicodeScalars {
        if let simple = simpleCaseException(scalar.value, upper: upper), let mapped = Unicode.Scalar(simple) {
            out.append(mapped)
            continue
        }
        let mapped = upper ? scalar.properties.uppercaseMapping : scalar.properties.lowercaseMapping
        let scalars = mapped.unicodeScalars
        if scalars.count == 1, let m = scalars.first { out.append(m) } else { out.append(scalar) }
    }
    return String(out)
}

/// Simple case mappings that differ from "the full mapping when it is one rune, else the rune":
/// İ lowers to i, and Greek letters with ypogegrammeni map to their titlecase partners.
private func simpleCaseException(_ v: UInt32, upper: Bool) -> UInt32? {
    if !upper && v == 0x130 { return 0x69 }
    let pairs: [(UInt32, UInt32)] = [(0x1FB3, 0x1FBC), (0x1FC3, 0x1FCC), (0x1FF3, 0x1FFC)]
    for (lower, title) in pairs where v == (upper ? lower : title) { return upper ? title : lower }
    if (0x1F80...0x1FAF).contains(v) {
        let isLower = v & 0xF < 8
        if upper && isLower { return v + 8 }
        if !upper && !isLower { return v - 8 }
    }
    return nil
}

/// Go's `strings.Split`: an empty separator splits into UTF-8 sequences.
func goSplit(_ s: String, _ separator: String) -> [String] {
    if separator.isEmpty { return s.unicodeScalars.map { String($0) } }
    let bytes = Array(s.utf8)
    var parts: [String] = []
    var start = 0
    for match in occurrences(of: Array(separator.utf8), in: bytes, limit: -1) {
        parts.append(String(decoding: bytes[start..<match], as: UTF8.self))
        start = match + separator.utf8.count
    }
    parts.append(String(decoding: bytes[start...], as: UTF8.self))
    return parts
}

/// Go's `strings.Replace`: at most `n` replacements (all when n < 0); an empty `old` inserts between runes.
func goReplace(_ s: String, _ old: String, _ new: String, _ n: Int) throws(FunctionError) -> String {
    if n == 0 || old == new { return s }
    if old.isEmpty {
        // One insertion before each rune and one at the end: check the length before building it.
        let scalars = s.unicodeScalars.count
        let count = n < 0 ? scalars + 1 : min(n, scalars + 1)
        try checkLength(s.utf8.count, plus: new.utf8.count, times: count)
        var out = ""
        var inserted = 0
        for scalar in s.unicodeScalars {
            if n < 0 || inserted < n {
                out += new
                inserted += 1
            }
            out.unicodeScalars.append(scalar)
        }
        if n < 0 || inserted < n { out += new }
        return out
    }
    let bytes = Array(s.utf8)
    let matches = occurrences(of: Array(old.utf8), in: bytes, limit: n)
    try checkLength(s.utf8.count, plus: new.utf8.count - old.utf8.count, times: matches.count)
    var out: [UInt8] = []
    var start = 0
    for match in matches {
        out.append(contentsOf: bytes[start..<match])
        out.append(contentsOf: new.utf8)
        start = match + old.utf8.count
    }
    out.append(contentsOf: bytes[start...])
    return String(decoding: out, as: UTF8.self)
}

/// Refuses a result of `base + growth × count` bytes beyond `GoFormat.maximumBytes` (overflow included).
private func checkLength(_ base: Int, plus growth: Int, times count: Int) throws(FunctionError) {
    let (extra, o1) = growth.multipliedReportingOverflow(by: count)
    let (total, o2) = base.addingReportingOverflow(extra)
    guard !o1, !o2, total <= GoFormat.maximumBytes else { throw GoFormat.tooLarge }
}

/// Offsets of non-overlapping occurrences of `needle`, left to right, at most `limit` (all if < 0).
func occurrences(of needle: [UInt8], in haystack: [UInt8], limit: Int) -> [Int] {
    var found: [Int] = []
    guard !needle.isEmpty, needle.count <= haystack.count else { return found }
    var i = 0
    let last = haystack.count - needle.count
    while i <= last && (limit < 0 || found.count < limit) {
        if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) {
            found.append(i)
            i += needle.count
        } else {
            i += 1
        }
    }
    return found
}

private func goAtoiOutOfRange(_ text: String) -> Bool {
    var digits = Substring(text)
    if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
    return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
}

/// Go's `base64.StdEncoding.DecodeString`, quantum by quantum as `decodeQuantum` does: padding
/// required, `\r` and `\n` skipped anywhere, and its `illegal base64 data at input byte N` offsets.
func goBase64Decode(_ text: String) throws(FunctionError) -> [UInt8] {
    let src = Array(text.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(src.count / 4 * 3)
    func corrupt(_ at: Int) -> FunctionError { .failed("illegal base64 data at input byte \(at)") }
    func isNewline(_ b: UInt8) -> Bool { b == 0x0A || b == 0x0D }
    var si = 0
    while si < src.count {
        var buffer = [UInt8](repeating: 0, count: 4)
        var length = 4
        var trailing: FunctionError?
        var j = 0
        quantum: while j < 4 {
            if si == src.count {
                if j == 0 { return out }
                throw corrupt(si - j)  // padding is required
            }
            let c = src[si]
            si += 1
            if let v = base64Value(c) {
                buffer[j] = v
                j += 1
                continue
            }
            if isNewline(c) { continue }
            guard c == UInt8(ascii: "=") else { throw corrupt(si - 1) }
            switch j {
            case 0, 1: throw corrupt(si - 1)
            case 2:
                while si < src.count && isNewline(src[si]) { si += 1 }
                if si == src.count { throw corrupt(src.count) }
                if src[si] != UInt8(ascii: "=") { throw corrupt(si - 1) }
                si += 1
            default: break
            }
            while si < src.count && isNewline(src[si]) { si += 1 }
            if si < src.count { trailing = corrupt(si) }
            length = j
            break quantum
        }
        let value = UInt32(buffer[0]) << 18 | UInt32(buffer[1]) << 12 | UInt32(buffer[2]) << 6 | UInt32(buffer[3])
        let bytes = [
            UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
            UInt8(truncatingIfNeeded: value),
        ]
        out += bytes[0..<(length - 1)]
        if let trailing { throw trailing }
    }
    return out
}

private func base64Value(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"): c - UInt8(ascii: "A")
    case UInt8(ascii: "a")...UInt8(ascii: "z"): c - UInt8(ascii: "a") + 26
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0") + 52
    case UInt8(ascii: "+"): 62
    case UInt8(ascii: "/"): 63
    default: nil
    }
}
