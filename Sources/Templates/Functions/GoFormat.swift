/// Go's `fmt` for template values: `Sprint`, `Sprintln`, `Sprintf` with verbs, flags, width
/// and precision, and the `%!verb(type=value)` forms Go prints for mismatches.
enum GoFormat {
    /// How an action prints its value: `<no value>` for nil, `%v` otherwise.
    static func printValue(_ value: Value, into out: inout [UInt8]) {
        switch value {
        case .string(let s): out.append(contentsOf: s.utf8)
        case .none: out.append(contentsOf: "<no value>".utf8)
        default: out.append(contentsOf: format(value, Spec(verb: "v"), depth: 0).utf8)
        }
    }

    /// `fmt.Sprint`: spaces between operands when neither side is a string.
    static func sprint(_ values: [Value]) -> String {
        var out = ""
        for (i, v) in values.enumerated() {
            if i > 0, !values[i - 1].isString, !v.isString { out += " " }
            out += format(v, Spec(verb: "v"), depth: 0)
        }
        return out
    }

    /// `fmt.Sprintln`: spaces between all operands, and a newline.
    static func sprintln(_ values: [Value]) -> String {
        values.map { format($0, Spec(verb: "v"), depth: 0) }.joined(separator: " ") + "\n"
    }

    /// One parsed `%...` directive.
    struct Spec {
        var verb: Character
        var plus = false, minus = false, sharp = false, space = false, zero = false
        var width: Int?
        var precision: Int?
    }

    /// `fmt.Sprintf`, scanning the format's UTF-8 bytes (verbs and flags are ASCII).
    static func sprintf(_ format: String, _ args: [Value]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(format.utf8.count + 16)
        var argIndex = 0
        let bytes = Array(format.utf8)
        var i = 0
        func append(_ s: String) { out.append(contentsOf: s.utf8) }
        while i < bytes.count {
            let c = bytes[i]
            guard c == UInt8(ascii: "%") else {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            var spec = Spec(verb: "v")
            flags: while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "+"): spec.plus = true
                case UInt8(ascii: "-"): spec.minus = true
                case UInt8(ascii: "#"): spec.sharp = true
                case UInt8(ascii: " "): spec.space = true
                case UInt8(ascii: "0"): spec.zero = !spec.minus
                default: break flags
                }
                i += 1
            }
            func number() -> (Int?, Bool) {
                if i < bytes.count && bytes[i] == UInt8(ascii: "*") {
                    i += 1
                    guard argIndex < args.count, case .int(let n) = args[argIndex] else {
                        argIndex += 1
                        return (nil, false)
                    }
                    argIndex += 1
                    return (n, true)
                }
                var n: Int?
                while i < bytes.count, isDigit(bytes[i]) {
                    n = (n ?? 0) * 10 + Int(bytes[i] - UInt8(ascii: "0"))
                    i += 1
                }
                return (n, true)
            }
            let (width, widthOK) = number()
            if !widthOK { append("%!(BADWIDTH)") }
            spec.width = width
            if let w = width, w < 0 {
                spec.minus = true
                spec.width = -w
            }
            if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
                i += 1
                let (p, ok) = number()
                if !ok { append("%!(BADPREC)") }
                spec.precision = p ?? 0
                if let p, p < 0 { spec.precision = nil }
            }
            if spec.minus { spec.zero = false }
            guard i < bytes.count else {
                append("%!(NOVERB)")
                break
            }
            var verbLength = 1
            if bytes[i] < 0x80 {
                spec.verb = Character(Unicode.Scalar(bytes[i]))
            } else {
                verbLength = bytes[i] < 0xE0 ? 2 : bytes[i] < 0xF0 ? 3 : 4
                spec.verb = String(decoding: bytes[i..<min(bytes.count, i + verbLength)], as: UTF8.self).first ?? "?"
            }
            i += verbLength
            if spec.verb == "%" {
                out.append(UInt8(ascii: "%"))
                continue
            }
            guard argIndex < args.count else {
                append("%!\(spec.verb)(MISSING)")
                continue
            }
            if spec.verb == "s" || spec.verb == "v", spec.width == nil, spec.precision == nil, !spec.plus, !spec.sharp,
                case .string(let s) = args[argIndex]
            {
                out.append(contentsOf: s.utf8)  // the common %s of a string, without the general path
            } else {
                append(Self.format(args[argIndex], spec, depth: 0))
            }
            argIndex += 1
        }
        if argIndex < args.count {
            append("%!(EXTRA ")
            append(
                args[argIndex...].map { "\($0.goTypeName)=\(Self.format($0, Spec(verb: "v"), depth: 0))" }
                    .joined(separator: ", "))
            append(")")
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func format(_ value: Value, _ spec: Spec, depth: Int) -> String {
        if spec.verb == "T" { return pad(value.goTypeName, spec) }
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
            return "[" + items.map { format($0, spec, depth: depth + 1) }.joined(separator: " ") + "]"
        case .map(let map):
            let body = map.keys.sorted(by: goLess).map {
                format(.string($0), spec, depth: depth + 1) + ":" + format(map[$0] ?? .none, spec, depth: depth + 1)
            }
            return "map[" + body.joined(separator: " ") + "]"
        case .pair(let pair):
            let k = format(.string(pair.key), spec, depth: depth + 1)
            let v = format(.string(pair.value), spec, depth: depth + 1)
            return spec.plus && spec.verb == "v" ? "{Key:\(k) Value:\(v)}" : "{\(k) \(v)}"
        case .srv(let srv):
            let fields = [Value.string(srv.target), .int(srv.port), .int(srv.priority), .int(srv.weight)]
            return "&{" + fields.map { format($0, spec, depth: depth + 1) }.joined(separator: " ") + "}"
        }
    }

    private static func bad(_ value: Value, _ spec: Spec) -> String {
        "%!\(spec.verb)(\(value.goTypeName)=\(format(value, Spec(verb: "v"), depth: 0)))"
    }

    /// Pads to the width in runes: spaces left (or right with `-`), zeros with `0`.
    static func pad(_ s: String, _ spec: Spec, zeroAfterSign: Bool = false) -> String {
        guard let width = spec.width else { return s }
        let count = s.unicodeScalars.count
        guard count < width else { return s }
        let fill = width - count
        if spec.minus { return s + String(repeating: " ", count: fill) }
        if spec.zero {
            if zeroAfterSign, let first = s.first, first == "-" || first == "+" || first == " " {
                return String(first) + String(repeating: "0", count: fill) + s.dropFirst()
            }
            return String(repeating: "0", count: fill) + s
        }
        return String(repeating: " ", count: fill) + s
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
            if p == 0 && n == 0 { digits = "" }
            if digits.count < p { digits = String(repeating: "0", count: p - digits.count) + digits }
        }
        let sign = n < 0 ? "-" : spec.plus ? "+" : spec.space ? " " : ""
        var body = prefix + digits
        if spec.zero && spec.precision == nil, let width = spec.width, !spec.minus {
            let fill = width - sign.count - body.count
            if fill > 0 { body = prefix + String(repeating: "0", count: fill) + digits }
            return sign + body
        }
        return pad(sign + body, spec)
    }

    private static func formatFloat(_ f: Double, _ spec: Spec) -> String? {
        var s: String
        switch spec.verb {
        case "v", "g", "G":
            if let p = spec.precision {
                s = GoFloat.formatted(f, verb: spec.verb == "G" ? "G" : "g", precision: p)
            } else {
                s = GoFloat.shortest(f, upper: spec.verb == "G")
            }
        case "e", "E", "f", "F":
            s = GoFloat.formatted(f, verb: spec.verb == "F" ? "f" : spec.verb, precision: spec.precision ?? 6)
        default: return nil
        }
        if spec.plus && !s.hasPrefix("-") && !s.hasPrefix("+") {
            s = "+" + s
        } else if spec.space && !s.hasPrefix("-") && !s.hasPrefix("+") {
            s = " " + s
        } else if s == "+Inf" && !spec.plus {
            s = spec.space ? " Inf" : "+Inf"
        }
        if f.isInfinite || f.isNaN {
            var plain = spec
            plain.zero = false
            return pad(s, plain)
        }
        return pad(s, spec, zeroAfterSign: true)
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
