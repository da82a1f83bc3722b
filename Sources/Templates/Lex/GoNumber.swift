/// A number or character constant as Go's parser reads it (`parse.NumberNode`): one text, and each
/// of the types it fits. Go decides the type only where the constant is used: an `int` parameter
/// takes `2.0` and `1e3`, an `interface{}` one gets `float64`, and `'a'` is an int everywhere.
struct GoNumber: Sendable {
    var text: String
    /// `IsInt`: the value fits int64 exactly.
    var int: Int?
    /// `IsUint`: the value fits uint64 exactly.
    var isUint = false
    /// `IsFloat`.
    var float: Double?
    /// `IsComplex` (a constant such as `1i`).
    var complex: (real: Double, imaginary: Double)?

    /// Reads `text` as Go's `newNumber` does; the error is Go's parse message.
    static func parse(_ text: String, isCharacter: Bool) -> Result<GoNumber, GoNumberError> {
        var n = GoNumber(text: text)
        if isCharacter {
            guard let s = GoLiteral.unquote(Substring(text)), s.unicodeScalars.count == 1,
                let c = s.unicodeScalars.first
            else { return .failure(.malformedCharacter) }
            n.int = Int(c.value)
            n.isUint = true
            n.float = Double(c.value)
            return .success(n)
        }
        if text.hasSuffix("i"), let imaginary = goParseFloat(text.dropLast()) {
            n.complex = (0, imaginary)
            n.simplifyComplex()
            return .success(n)
        }
        let unsigned = goParseUint(Substring(text))
        n.isUint = unsigned != nil
        n.int = goParseInt(Substring(text))
        if n.int == 0 { n.isUint = true }  // -0
        if let i = n.int {
            n.float = Double(i)
        } else if let u = unsigned {
            n.float = Double(u)
        } else if let f = goParseFloat(Substring(text)) {
            // It parsed as a float but looks like an integer: one too large for 64 bits.
            guard text.contains(where: { ".eEpP".contains($0) }) else { return .failure(.integerOverflow) }
            n.float = f
            n.int = Int(exactly: f)
            n.isUint = UInt64(exactly: f) != nil
        }
        guard n.int != nil || n.isUint || n.float != nil else { return .failure(.illegal) }
        return .success(n)
    }

    private mutating func simplifyComplex() {
        guard let (real, imaginary) = complex, imaginary == 0 else { return }
        float = real
        int = Int(exactly: real)
        isUint = UInt64(exactly: real) != nil
    }

    /// Go's `idealConstant`: the value where no parameter type says otherwise; nil when the number
    /// fits no Go int (`%s overflows int`).
    var ideal: Value? {
        if let (real, imaginary) = complex { return .complex(real, imaginary) }
        let hexInt =
            text.count > 2 && text.hasPrefix("0") && (text.dropFirst().first == "x" || text.dropFirst().first == "X")
            && !text.contains(where: { $0 == "p" || $0 == "P" })
        let runeInt = text.hasPrefix("'")
        if let f = float, !hexInt, !runeInt, text.contains(where: { ".eEpP".contains($0) }) { return .float(f) }
        if let i = int { return .int(i) }
        return nil
    }
}

/// Why Go's parser rejects a number.
enum GoNumberError: Error {
    case malformedCharacter, integerOverflow, illegal
}

/// `strconv.ParseUint(s, 0, 64)`: base prefixes, old-style octal, underscores between digits.
func goParseUint(_ s: Substring) -> UInt64? {
    guard !s.isEmpty else { return nil }
    var digits = s.utf8[...]
    var base: UInt64 = 10
    if digits.first == UInt8(ascii: "0") {
        let second = digits.dropFirst().first.map { $0 | 0x20 }
        if digits.count >= 3, second == UInt8(ascii: "b") || second == UInt8(ascii: "o") || second == UInt8(ascii: "x")
        {
            base = second == UInt8(ascii: "b") ? 2 : second == UInt8(ascii: "o") ? 8 : 16
            digits = digits.dropFirst(2)
        } else {
            base = 8
            digits = digits.dropFirst()
        }
    }
    var value: UInt64 = 0
    var underscores = false
    for c in digits {
        let d: UInt64
        switch c {
        case UInt8(ascii: "_"):
            underscores = true
            continue
        case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt64(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): d = UInt64(c - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): d = UInt64(c - UInt8(ascii: "A")) + 10
        default: return nil
        }
        guard d < base else { return nil }
        let (shifted, o1) = value.multipliedReportingOverflow(by: base)
        let (sum, o2) = shifted.addingReportingOverflow(d)
        guard !o1, !o2 else { return nil }
        value = sum
    }
    if underscores && !goUnderscoreOK(s) { return nil }
    return value
}

/// `strconv.ParseInt(s, 0, 64)`: an optional sign, then `ParseUint`'s syntax, within int64.
func goParseInt(_ s: Substring) -> Int? {
    var body = s
    var negative = false
    if let sign = body.first, sign == "+" || sign == "-" {
        negative = sign == "-"
        body = body.dropFirst()
    }
    guard let magnitude = goParseUint(body) else { return nil }
    if negative {
        guard magnitude <= UInt64(Int.max) + 1 else { return nil }
        return magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude)
    }
    return magnitude <= UInt64(Int.max) ? Int(magnitude) : nil
}

/// `strconv.ParseFloat(s, 64)` for what the template lexer passes it: decimal and hex (with a `p`
/// exponent) floats with underscores; out of range is an error, as in Go.
func goParseFloat(_ s: Substring) -> Double? {
    guard !s.isEmpty else { return nil }
    var text = String(s)
    if text.contains("_") {
        guard goUnderscoreOK(s) else { return nil }
        text.removeAll { $0 == "_" }
    }
    let body = text.hasPrefix("+") || text.hasPrefix("-") ? text.dropFirst() : Substring(text)
    let isHex = body.hasPrefix("0x") || body.hasPrefix("0X")
    if isHex {
        guard body.contains(where: { $0 == "p" || $0 == "P" }) else { return nil }
    } else {
        guard body.allSatisfy({ $0.isASCII && ($0.isNumber || ".eE+-".contains($0)) }),
            body.contains(where: { $0.isNumber })
        else { return nil }
    }
    guard let value = Double(text), value.isFinite else { return nil }
    return value
}

/// Go's `underscoreOK`: underscores only between digits (a base prefix counts as a digit).
func goUnderscoreOK(_ s: Substring) -> Bool {
    var bytes = s.utf8[...]
    if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
    var saw: UInt8 = UInt8(ascii: "^")
    var hex = false
    if bytes.count >= 2, bytes.first == UInt8(ascii: "0"), let p = bytes.dropFirst().first.map({ $0 | 0x20 }),
        p == UInt8(ascii: "b") || p == UInt8(ascii: "o") || p == UInt8(ascii: "x")
    {
        bytes = bytes.dropFirst(2)
        saw = UInt8(ascii: "0")
        hex = p == UInt8(ascii: "x")
    }
    for c in bytes {
        let lower = c | 0x20
        if isDigit(c) || hex && lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "f") {
            saw = UInt8(ascii: "0")
            continue
        }
        if c == UInt8(ascii: "_") {
            if saw != UInt8(ascii: "0") { return false }
            saw = c
            continue
        }
        if saw == UInt8(ascii: "_") { return false }
        saw = UInt8(ascii: "!")
    }
    return saw != UInt8(ascii: "_")
}
