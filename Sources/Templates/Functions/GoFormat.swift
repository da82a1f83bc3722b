/// Go's `fmt` for template values: `Sprint`, `Sprintln`, `Sprintf` with verbs, flags, width
/// and precision, and the `%!verb(type=value)` forms Go prints for mismatches.
enum GoFormat {
    /// No single formatted value may be longer than this: Go would try to allocate whatever a template asks
    /// for (a million `%9999999d` directives), and a store value must not be able to exhaust memory.
    static let maximumBytes = 64 << 20

    static var tooLarge: FunctionError { .failed("formatted value is longer than \(maximumBytes) bytes") }

    /// How an action prints its value: `<no value>` for nil, `%v` otherwise.
    static func printValue(_ value: Value, into out: inout [UInt8]) throws(FunctionError) {
        switch value {
        case .string(let s): out.append(contentsOf: s.utf8)
        case .none: out.append(contentsOf: "<no value>".utf8)
        default: out.append(contentsOf: try format(value, Spec(verb: "v"), depth: 0).utf8)
        }
    }

    /// `fmt.Sprint`: spaces between operands when neither side is a string.
    static func sprint(_ values: [Value]) throws(FunctionError) -> String {
        var out = ""
        for (i, v) in values.enumerated() {
            if i > 0, !values[i - 1].isString, !v.isString { out += " " }
            out += try format(v, Spec(verb: "v"), depth: 0)
            guard out.utf8.count <= maximumBytes else { throw tooLarge }
        }
        return out
    }

    /// `fmt.Sprintln`: spaces between all operands, and a newline.
    static func sprintln(_ values: [Value]) throws(FunctionError) -> String {
        var out = ""
        for (i, v) in values.enumerated() {
            if i > 0 { out += " " }
            out += try format(v, Spec(verb: "v"), depth: 0)
            guard out.utf8.count <= maximumBytes else { throw tooLarge }
        }
        return out + "\n"
    }

    /// One parsed `%...` directive.
    struct Spec {
        var verb: Character
        var plus = false, minus = false, sharp = false, space = false, zero = false
        /// `%#v` and `%+v`: Go moves `#` and `+` here for the `v` verb (Go syntax, field names), so the
        /// plain flags no longer apply (`%+v` of 5 is `5`).
        var sharpV = false, plusV = false
        var width: Int?
        var precision: Int?
    }

    /// Go's `tooLarge`: widths and precisions beyond a million are refused.
    private static func goTooLarge(_ n: Int) -> Bool { n > 1_000_000 || n < -1_000_000 }

    /// `fmt.Sprintf`, following `doPrintf` step by step: flags, `[n]` argument indexes, `*` widths and
    /// precisions (`%!(BADWIDTH)`, `%!(BADPREC)` beyond a million), and Go's error forms.
    static func sprintf(_ format: String, _ args: [Value]) throws(FunctionError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(format.utf8.count + 16)
        let bytes = Array(format.utf8)
        let end = bytes.count
        var argNum = 0
        var reordered = false
        var i = 0
        func append(_ s: String) {
            // Copies a native string's bytes in one go; the element-by-element path is slow on long padding.
            if s.utf8.withContiguousStorageIfAvailable({ out.append(contentsOf: $0) }) == nil {
                out.append(contentsOf: s.utf8)
            }
        }
        // Go's parsenum: digits, giving up (and swallowing the rest of the format) past a million.
        func parseNumber(_ start: Int, _ stop: Int) -> (Int, Bool, Int) {
            guard start < stop else { return (0, false, stop) }
            var n = 0
            var isNumber = false
            var j = start
            while j < stop && isDigit(bytes[j]) {
                if goTooLarge(n) { return (0, false, stop) }
                n = n * 10 + Int(bytes[j] - UInt8(ascii: "0"))
                isNumber = true
                j += 1
            }
            return (n, isNumber, j)
        }
        // Go's argNumber: an optional `[n]`, one-based; `ok` false marks a bad index.
        func argumentIndex(_ current: Int, _ at: Int) -> (Int, Int, found: Bool, good: Bool) {
            guard at < end, bytes[at] == UInt8(ascii: "[") else { return (current, at, false, true) }
            reordered = true
            guard end - at >= 3 else { return (current, at + 1, false, false) }
            var close = at + 1
            while close < end && bytes[close] != UInt8(ascii: "]") { close += 1 }
            guard close < end else { return (current, at + 1, false, false) }
            let (n, ok, after) = parseNumber(at + 1, close)
            guard ok, after == close else { return (current, close + 1, false, false) }
            let index = n - 1
            if index >= 0 && index < args.count { return (index, close + 1, true, true) }
            return (current, close + 1, true, false)
        }
        func intArgument(_ n: Int) -> (Int, Bool, Int) {
            guard n < args.count else { return (0, false, n) }
            guard case .int(let value) = args[n], !goTooLarge(value) else { return (0, false, n + 1) }
            return (value, true, n + 1)
        }
        while i < end {
            var good = true
            let start = i
            while i < end && bytes[i] != UInt8(ascii: "%") { i += 1 }
            if i > start { out.append(contentsOf: bytes[start..<i]) }
            if i >= end { break }
            i += 1
            var spec = Spec(verb: "v")
            flags: while i < end {
                switch bytes[i] {
                case UInt8(ascii: "#"): spec.sharp = true
                case UInt8(ascii: "0"): spec.zero = !spec.minus
                case UInt8(ascii: "+"): spec.plus = true
                case UInt8(ascii: "-"):
                    spec.minus = true
                    spec.zero = false
                case UInt8(ascii: " "): spec.space = true
                default: break flags
                }
                i += 1
            }
            var afterIndex: Bool
            var indexGood: Bool
            (argNum, i, afterIndex, indexGood) = argumentIndex(argNum, i)
            good = good && indexGood
            if i < end && bytes[i] == UInt8(ascii: "*") {
                i += 1
                let (width, present, next) = intArgument(argNum)
                argNum = next
                if !present { append("%!(BADWIDTH)") }
                spec.width = present ? width : nil
                if width < 0 {
                    spec.width = -width
                    spec.minus = true
                    spec.zero = false
                }
                afterIndex = false
            } else {
                let (width, present, next) = parseNumber(i, end)
                i = next
                spec.width = present ? width : nil
                if afterIndex && present { good = false }  // "%[3]2d"
            }
            if i + 1 < end && bytes[i] == UInt8(ascii: ".") {
                i += 1
                if afterIndex { good = false }  // "%[3].2d"
                (argNum, i, afterIndex, indexGood) = argumentIndex(argNum, i)
                good = good && indexGood
                if i < end && bytes[i] == UInt8(ascii: "*") {
                    i += 1
                    let (precision, present, next) = intArgument(argNum)
                    argNum = next
                    // A negative precision means none.
                    spec.precision = present && precision >= 0 ? precision : nil
                    if !present { append("%!(BADPREC)") }
                    afterIndex = false
                } else {
                    let (precision, present, next) = parseNumber(i, end)
                    i = next
                    spec.precision = present ? precision : 0
                }
            }
            if !afterIndex {
                (argNum, i, afterIndex, indexGood) = argumentIndex(argNum, i)
                good = good && indexGood
            }
            guard i < end else {
                append("%!(NOVERB)")
                break
            }
            var verbLength = 1
            if bytes[i] < 0x80 {
                spec.verb = Character(Unicode.Scalar(bytes[i]))
            } else {
                verbLength = bytes[i] < 0xE0 ? 2 : bytes[i] < 0xF0 ? 3 : 4
                spec.verb = String(decoding: bytes[i..<min(end, i + verbLength)], as: UTF8.self).first ?? "\u{FFFD}"
            }
            i += verbLength
            if spec.verb == "v" {
                (spec.sharpV, spec.sharp, spec.plusV, spec.plus) = (spec.sharp, false, spec.plus, false)
            }
            if spec.verb == "%" {
                out.append(UInt8(ascii: "%"))
            } else if !good {
                append("%!\(spec.verb)(BADINDEX)")
            } else if argNum >= args.count {
                append("%!\(spec.verb)(MISSING)")
            } else {
                if spec.verb == "s" || spec.verb == "v", spec.width == nil, spec.precision == nil, !spec.plus,
                    !spec.sharp, !spec.sharpV, case .string(let s) = args[argNum]
                {
                    out.append(contentsOf: s.utf8)  // the common %s of a string, without the general path
                } else {
                    append(try Self.format(args[argNum], spec, depth: 0))
                }
                argNum += 1
            }
            guard out.count <= maximumBytes else { throw tooLarge }
        }
        if !reordered && argNum < args.count {
            append("%!(EXTRA ")
            for (n, arg) in args[argNum...].enumerated() {
                if n > 0 { append(", ") }
                if case .none = arg {
                    append("<nil>")
                } else {
                    append("\(arg.goTypeName)=\(try Self.format(arg, Spec(verb: "v"), depth: 0))")
                }
                guard out.count <= maximumBytes else { throw tooLarge }
            }
            append(")")
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One operand under one directive. Lists and maps recurse once per nesting level, which values
    /// bound (`GoJSON.maximumDepth`, `map`'s check); their length is checked as it grows.
    static func format(_ value: Value, _ spec: Spec, depth: Int) throws(FunctionError) -> String {
        if spec.verb == "T" { return pad(value.goTypeName, spec) }
        if spec.sharpV {
            let syntax = try goSyntax(value, typed: depth == 0)
            return pad(syntax, spec)
        }
        switch value {
        case .none:
            return spec.verb == "v" || depth > 0 ? pad("<nil>", spec) : "%!\(spec.verb)(<nil>)"
        case .bool(let b):
            return spec.verb == "v" || spec.verb == "t" ? pad(b ? "true" : "false", spec) : bad(value, spec)
        case .int(let n):
            return formatInt(n, spec) ?? bad(value, spec)
        case .float(let f):
            return formatFloat(f, spec) ?? bad(value, spec)
        case .string(let s):
            return formatString(s, spec) ?? bad(value, spec)
        case .time(let date, let zone):
            return "vsq".contains(spec.verb)
                ? formatString(GoTime.string(date, zone), spec) ?? "" : bad(value, spec)
        case .list(let items, _):
            var out = "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += " " }
                out += try format(item, spec, depth: depth + 1)
                guard out.utf8.count <= maximumBytes else { throw tooLarge }
            }
            return out + "]"
        case .map(let map):
            var out = "map["
            for (i, key) in map.keys.sorted(by: goLess).enumerated() {
                if i > 0 { out += " " }
                out += try format(.string(key), spec, depth: depth + 1) + ":"
                out += try format(map[key] ?? .none, spec, depth: depth + 1)
                guard out.utf8.count <= maximumBytes else { throw tooLarge }
            }
            return out + "]"
        case .namedInt(let n, let kind):
            // A Stringer: %v %s %q %x %X print the name, the other verbs the number.
            return "vsqxX".contains(spec.verb)
                ? formatString(GoTime.name(n, kind), spec) ?? "" : formatInt(n, spec) ?? bad(value, spec)
        case .complex(let re, let im):
            // Go formats each part with the directive (width included); the imaginary part always signed.
            guard "vbgGxXfFeE".contains(spec.verb), let real = formatFloat(re, spec) else { return bad(value, spec) }
            var signed = spec
            signed.plus = true
            return "(" + real + (formatFloat(im, signed) ?? "") + "i)"
        case .pair(let pair):
            let k = try format(.string(pair.key), spec, depth: depth + 1)
            let v = try format(.string(pair.value), spec, depth: depth + 1)
            return spec.plusV ? "{Key:\(k) Value:\(v)}" : "{\(k) \(v)}"
        case .srv(let srv):
            var fields: [String] = []
            for field in [Value.string(srv.target), .int(srv.port), .int(srv.priority), .int(srv.weight)] {
                fields.append(try format(field, spec, depth: depth + 1))
            }
            return "&{" + fields.joined(separator: " ") + "}"
        }
    }

    /// `%#v`: the value as Go source. `typed` is false for elements whose static type already says what
    /// they are (`[]string{"a"}`), true where Go spells the type (`interface {}` elements, the top level).
    static func goSyntax(_ value: Value, typed: Bool = true) throws(FunctionError) -> String {
        func join(_ items: [Value], typed: Bool) throws(FunctionError) -> String {
            var out = ""
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                out += item.isNil ? "interface {}(nil)" : try goSyntax(item, typed: typed)
                guard out.utf8.count <= maximumBytes else { throw tooLarge }
            }
            return out
        }
        switch value {
        case .none: return typed ? "<nil>" : "interface {}(nil)"
        case .string(let s): return goQuote(s)
        case .bool, .int, .float, .complex, .namedInt: return try format(value, Spec(verb: "v"), depth: 0)
        case .list(let items, let kind):
            return value.goTypeName + "{" + (try join(items, typed: kind == .interfaces)) + "}"
        case .map(let map):
            var out = "map[string]interface {}{"
            for (i, key) in map.keys.sorted(by: goLess).enumerated() {
                if i > 0 { out += ", " }
                let member = map[key] ?? .none
                out += goQuote(key) + ":" + (member.isNil ? "interface {}(nil)" : try goSyntax(member))
                guard out.utf8.count <= maximumBytes else { throw tooLarge }
            }
            return out + "}"
        case .pair(let pair): return "memkv.KVPair{Key:\(goQuote(pair.key)), Value:\(goQuote(pair.value))}"
        case .srv(let srv):
            let hex = { (n: Int) in "0x" + String(n, radix: 16) }
            return "&net.SRV{Target:\(goQuote(srv.target)), Port:\(hex(srv.port)), Priority:\(hex(srv.priority)), "
                + "Weight:\(hex(srv.weight))}"
        case .time(let date, let zone): return GoTime.goString(date, zone)
        }
    }

    /// Go's `badVerb`: `%!verb(type=value)`, the value printed with `%v` under the directive's own flags,
    /// width and precision (so `%.0w` of a string shows it empty). Formatting a scalar cannot fail.
    private static func bad(_ value: Value, _ spec: Spec) -> String {
        var plain = spec
        plain.verb = "v"
        return "%!\(spec.verb)(\(value.goTypeName)=\((try? format(value, plain, depth: 0)) ?? ""))"
    }

    /// Pads to the width in runes: spaces left (or right with `-`), zeros with `0`.
    static func pad(_ s: String, _ spec: Spec, zeroAfterSign: Bool = false) -> String {
        guard let width = spec.width else { return s }
        let count = s.unicodeScalars.count
        guard count < width else { return s }
        let fill = width - count
        if spec.minus { return s + repeated(" ", fill) }
        if spec.zero {
            if zeroAfterSign, let first = s.first, first == "-" || first == "+" || first == " " {
                return String(first) + repeated("0", fill) + s.dropFirst()
            }
            return repeated("0", fill) + s
        }
        return repeated(" ", fill) + s
    }

    private static func formatInt(_ n: Int, _ spec: Spec) -> String? {
        let magnitude = n.magnitude
        var digits: String
        var prefix = ""
        switch spec.verb {
        case "d", "v": digits = String(magnitude)
        case "b":
            digits = String(magnitude, radix: 2)
            if spec.sharp { prefix = "0b" }
        case "o", "O":
            digits = String(magnitude, radix: 8)
            if spec.verb == "O" { prefix = "0o" } else if spec.sharp { prefix = "0" }
        case "x", "X":
            digits = String(magnitude, radix: 16, uppercase: spec.verb == "X")
            if spec.sharp { prefix = spec.verb == "x" ? "0x" : "0X" }
        case "c":
            return pad(Unicode.Scalar(UInt32(truncatingIfNeeded: n)).map { String(Character($0)) } ?? "\u{FFFD}", spec)
        case "q":
            let s = Unicode.Scalar(UInt32(truncatingIfNeeded: n)).map { String(Character($0)) } ?? "\u{FFFD}"
            let quoted = goQuote(s)
            return pad("'" + quoted.dropFirst().dropLast().replacingAll("\\\"", with: "\"") + "'", spec)
        case "U":
            var s = "U+" + hexPad(UInt32(truncatingIfNeeded: n), 4).uppercased()
            if spec.sharp, let scalar = Unicode.Scalar(UInt32(truncatingIfNeeded: n)) { s += " '\(Character(scalar))'" }
            return pad(s, spec)
        default: return nil
        }
        if let p = spec.precision {
            // Go prints nothing but padding for a zero with precision 0: no sign, no prefix.
            if p == 0 && n == 0 { return pad("", Spec(verb: spec.verb, minus: spec.minus, width: spec.width)) }
            if digits.count < p { digits = repeated("0", p - digits.count) + digits }
        }
        let sign = n < 0 ? "-" : spec.plus ? "+" : spec.space ? " " : ""
        var body = prefix + digits
        if spec.zero && spec.precision == nil, let width = spec.width, !spec.minus {
            let fill = width - sign.count - body.count
            if fill > 0 { body = prefix + repeated("0", fill) + digits }
            return sign + body
        }
        return pad(sign + body, spec)
    }

    /// Go's `fmt.fmtFloat`: strconv's digits, then the sign, `#`'s kept zeros and the padding.
    private static func formatFloat(_ f: Double, _ spec: Spec) -> String? {
        let verb: Character = spec.verb == "v" ? "g" : spec.verb
        var prec = -1
        if "eEfF".contains(verb) { prec = 6 } else if !"gGxXb".contains(verb) { return nil }
        if let p = spec.precision { prec = p }
        var digits: String
        switch verb {
        case "g", "G":
            digits =
                prec < 0 ? GoFloat.shortest(f, upper: verb == "G") : GoFloat.formatted(f, verb: verb, precision: prec)
        case "x", "X": digits = GoFloat.hex(f, upper: verb == "X", precision: prec)
        case "b": digits = GoFloat.binary(f)
        default: digits = GoFloat.formatted(f, verb: verb == "F" ? "f" : verb, precision: prec)
        }
        var num = Array(digits.utf8)
        if num.first != UInt8(ascii: "-") && num.first != UInt8(ascii: "+") { num.insert(UInt8(ascii: "+"), at: 0) }
        if spec.space && num[0] == UInt8(ascii: "+") && !spec.plus { num[0] = UInt8(ascii: " ") }
        if num[1] == UInt8(ascii: "I") || num[1] == UInt8(ascii: "N") {
            var plain = spec
            plain.zero = false
            if num[1] == UInt8(ascii: "N") && !spec.space && !spec.plus { num.removeFirst() }
            return pad(String(decoding: num, as: UTF8.self), plain)
        }
        // `#` forces a decimal point and keeps trailing zeros (%v clears `#` for floats).
        if spec.sharp && verb != "b" {
            var wanted = "gGx".contains(verb) ? (prec == -1 ? 6 : prec) : 0
            var tail: [UInt8] = []
            var hasPoint = false
            var sawNonzero = false
            var i = 1
            while i < num.count {
                let c = num[i]
                if c == UInt8(ascii: ".") {
                    hasPoint = true
                } else if c == UInt8(ascii: "p") || c == UInt8(ascii: "P")
                    || (c == UInt8(ascii: "e") || c == UInt8(ascii: "E")) && verb != "x" && verb != "X"
                {
                    tail = Array(num[i...])
                    num.removeSubrange(i...)
                    break
                } else {
                    if c != UInt8(ascii: "0") { sawNonzero = true }
                    if sawNonzero { wanted -= 1 }
                }
                i += 1
            }
            if !hasPoint {
                if num.count == 2 && num[1] == UInt8(ascii: "0") { wanted -= 1 }
                num.append(UInt8(ascii: "."))
            }
            if wanted > 0 { num += [UInt8](repeating: UInt8(ascii: "0"), count: wanted) }
            num += tail
        }
        if spec.plus || num[0] != UInt8(ascii: "+") {
            if spec.zero, let width = spec.width, width > num.count, !spec.minus {
                return String(UnicodeScalar(num[0])) + repeated("0", width - num.count)
                    + String(decoding: num[1...], as: UTF8.self)
            }
            return pad(String(decoding: num, as: UTF8.self), spec)
        }
        return pad(String(decoding: num[1...], as: UTF8.self), spec)
    }

    private static func formatString(_ s: String, _ spec: Spec) -> String? {
        var text = s
        if let p = spec.precision, ["s", "v", "q"].contains(spec.verb) {
            text = String(text.unicodeScalars.prefix(p).map(Character.init))
        }
        switch spec.verb {
        case "s", "v": return pad(text, spec)
        case "q":
            if spec.sharp && !text.contains("`")
                && text.unicodeScalars.allSatisfy({ $0 == "\t" || $0.value >= 0x20 && $0.value != 0x7F })
            {
                return pad("`" + text + "`", spec)
            }
            return pad(goQuote(text, asciiOnly: spec.plus), spec)
        case "x", "X":
            var bytes = Array(text.utf8)
            if let p = spec.precision { bytes = Array(bytes.prefix(p)) }
            let hex = bytes.map { b -> String in
                let h = String(b, radix: 16, uppercase: spec.verb == "X")
                return (h.count < 2 ? "0" + h : h)
            }
            let prefix = spec.sharp ? (spec.verb == "x" ? "0x" : "0X") : ""
            if spec.space { return pad(hex.map { prefix + $0 }.joined(separator: " "), spec) }
            return pad(prefix + hex.joined(), spec)
        default: return nil
        }
    }
}

extension Value {
    var isString: Bool {
        if case .string = self { return true }
        return false
    }
}

/// `count` copies of an ASCII byte, built as bytes: `String(repeating:count:)` appends one at a time,
/// which matters at Go's widths of up to ten million.
func repeated(_ byte: Unicode.Scalar, _ count: Int) -> String {
    String(decoding: [UInt8](repeating: UInt8(truncatingIfNeeded: byte.value), count: max(0, count)), as: UTF8.self)
}
