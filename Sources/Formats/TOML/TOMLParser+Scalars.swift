/// Strings, numbers, booleans and date-times.
extension TOMLParser {
    /// `"..."` with escapes.
    mutating func parseBasicString() throws(TOMLError) -> String {
        position += 1
        var out: [UInt8] = []
        while true {
            guard let byte = peek else { throw fail("unterminated string (missing '\"')") }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return try text(out)
            case UInt8(ascii: "\\"):
                position += 1
                try appendEscape(to: &out)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw fail("unterminated string (a basic string ends on its line; use \"\"\" for several lines)")
            default:
                if isForbiddenControl(byte) { throw fail("control character \(describe(byte)) in a string") }
                out.append(byte)
                position += 1
            }
        }
    }

    /// `'...'`, taken as written.
    mutating func parseLiteralString() throws(TOMLError) -> String {
        position += 1
        let start = position
        while true {
            guard let byte = peek else { throw fail("unterminated string (missing \"'\")") }
            if byte == UInt8(ascii: "'") {
                let value = Array(bytes[start..<position])
                position += 1
                return try text(value)
            }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                throw fail("unterminated string (a literal string ends on its line; use ''' for several lines)")
            }
            if isForbiddenControl(byte) { throw fail("control character \(describe(byte)) in a string") }
            position += 1
        }
    }

    /// `"""..."""`: escapes, a newline right after the opening quotes dropped, `\` at a line's end
    /// joining it to the next non-blank text.
    mutating func parseMultilineBasicString() throws(TOMLError) -> String {
        position += 3
        try skipNewlineAfterOpening()
        var out: [UInt8] = []
        while true {
            guard let byte = peek else { throw fail("unterminated multi-line string (missing '\"\"\"')") }
            if closesMultiline(with: UInt8(ascii: "\""), appendingTo: &out) { return try text(out) }
            if byte == UInt8(ascii: "\\") {
                position += 1
                if try skipLineEndingBackslash() { continue }
                try appendEscape(to: &out)
                continue
            }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                try expectNewline()
                out.append(UInt8(ascii: "\n"))
                continue
            }
            if isForbiddenControl(byte) { throw fail("control character \(describe(byte)) in a string") }
            out.append(byte)
            position += 1
        }
    }

    /// At three `quote`s: consumes the closing delimiter and returns true. Up to two more quotes may sit
    /// right before the closing three; they belong to the string and go into `out`.
    private mutating func closesMultiline(with quote: UInt8, appendingTo out: inout [UInt8]) -> Bool {
        guard peek == quote && peek(at: 1) == quote && peek(at: 2) == quote else { return false }
        var extra = 0
        while extra < 2 && peek(at: 3 + extra) == quote { extra += 1 }
        out.append(contentsOf: repeatElement(quote, count: extra))
        position += 3 + extra
        return true
    }

    /// `'''...'''`, taken as written apart from a newline right after the opening quotes.
    mutating func parseMultilineLiteralString() throws(TOMLError) -> String {
        position += 3
        try skipNewlineAfterOpening()
        var out: [UInt8] = []
        while true {
            guard let byte = peek else { throw fail("unterminated multi-line string (missing \"'''\")") }
            if closesMultiline(with: UInt8(ascii: "'"), appendingTo: &out) { return try text(out) }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                try expectNewline()
                out.append(UInt8(ascii: "\n"))
                continue
            }
            if isForbiddenControl(byte) { throw fail("control character \(describe(byte)) in a string") }
            out.append(byte)
            position += 1
        }
    }

    private mutating func skipNewlineAfterOpening() throws(TOMLError) {
        if peek == UInt8(ascii: "\n") || peek == UInt8(ascii: "\r") { try expectNewline() }
    }

    /// After a `\` in a multi-line basic string: when only blanks follow up to the line's end, skips
    /// them and every blank and newline after; returns whether it did.
    private mutating func skipLineEndingBackslash() throws(TOMLError) -> Bool {
        var probe = position
        while probe < bytes.count, bytes[probe] == UInt8(ascii: " ") || bytes[probe] == UInt8(ascii: "\t") {
            probe += 1
        }
        guard probe < bytes.count, bytes[probe] == UInt8(ascii: "\n") || bytes[probe] == UInt8(ascii: "\r") else {
            return false
        }
        position = probe
        while let byte = peek {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                position += 1
            } else if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                try expectNewline()
            } else {
                break
            }
        }
        return true
    }

    private mutating func appendEscape(to out: inout [UInt8]) throws(TOMLError) {
        guard let byte = peek else { throw fail("unterminated string (missing '\"')") }
        position += 1
        switch byte {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "e"): out.append(0x1B)
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = byte == UInt8(ascii: "u") ? 4 : 8
            guard position + count <= bytes.count else {
                throw fail("incomplete \\\(Character(Unicode.Scalar(byte))) escape")
            }
            var code: UInt32 = 0
            for hex in bytes[position..<(position + count)] {
                guard let digit = hexDigit(hex) else {
                    throw fail("invalid \\\(Character(Unicode.Scalar(byte))) escape: expected \(count) hex digits")
                }
                code = code << 4 | UInt32(digit)
            }
            position += count
            guard let scalar = Unicode.Scalar(code) else {
                throw fail(
                    "escape \\\(Character(Unicode.Scalar(byte)))\(String(code, radix: 16)) is not a Unicode scalar value"
                )
            }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw fail("invalid escape \\\(describe(byte)) in a string")
        }
    }

    private func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private func text(_ utf8: [UInt8]) throws(TOMLError) -> String {
        guard let string = String(validating: utf8, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
        return string
    }

    // MARK: Numbers, booleans, date-times

    mutating func parseScalar() throws(TOMLError) -> TOMLValue {
        let start = position
        while let byte = peek, isScalarByte(byte) { position += 1 }
        // A date and a time may be separated by one space.
        if position - start == 10, peek == UInt8(ascii: " "), let a = peek(at: 1), let b = peek(at: 2),
            peek(at: 3) == UInt8(ascii: ":"), isDigit(a), isDigit(b)
        {
            position += 1
            while let byte = peek, isScalarByte(byte) { position += 1 }
        }
        let token = String(decoding: bytes[start..<position], as: UTF8.self)
        guard !token.isEmpty else {
            throw fail("expected a value, found \(describe(peek ?? 0))")
        }
        switch token {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if let value = integer(token) { return .integer(value) }
        if let value = float(token) { return .float(value) }
        if isDateTime(token) { return .dateTime(token) }
        throw fail("'\(token)' is not a valid value (strings need quotes)")
    }

    private func isScalarByte(_ byte: UInt8) -> Bool {
        isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Underscores only between digits, as TOML says.
    private func withoutUnderscores(_ digits: Substring) -> String? {
        guard !digits.isEmpty, digits.first != "_", digits.last != "_", !digits.contains("__") else { return nil }
        return String(digits.filter { $0 != "_" })
    }

    private func integer(_ token: String) -> Int64? {
        var body = Substring(token)
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where body.hasPrefix(prefix) {
            guard let digits = withoutUnderscores(body.dropFirst(2)) else { return nil }
            return Int64(digits, radix: radix)
        }
        var sign = ""
        if body.first == "+" || body.first == "-" {
            sign = body.first == "-" ? "-" : ""
            body = body.dropFirst()
        }
        guard let digits = withoutUnderscores(body), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        if digits.count > 1 && digits.hasPrefix("0") { return nil }
        return Int64(sign + digits)
    }

    private func float(_ token: String) -> Double? {
        var body = Substring(token)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        guard let first = body.first, first.isASCII, first.isNumber else { return nil }
        guard body.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
        // Digits must surround the point, and the integer part has no leading zero.
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 2 { return nil }
        if parts.count == 2 {
            guard let after = parts[1].first, after.isASCII, after.isNumber else { return nil }
        }
        let integerPart = parts[0].prefix { $0 != "e" && $0 != "E" }
        if integerPart.count > 1 && integerPart.hasPrefix("0") { return nil }
        guard let digits = withoutUnderscores(Substring(token)) else { return nil }
        guard digits.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
        return Double(digits)
    }

    private func isDateTime(_ token: String) -> Bool {
        let utf8 = Array(token.utf8)
        func digits(_ range: Range<Int>) -> Bool {
            range.upperBound <= utf8.count && utf8[range].allSatisfy(isDigit)
        }
        let isDate =
            digits(0..<4) && utf8.count >= 10 && utf8[4] == UInt8(ascii: "-") && digits(5..<7)
            && utf8[7] == UInt8(ascii: "-") && digits(8..<10)
        let isTime =
            digits(0..<2) && utf8.count >= 8 && utf8[2] == UInt8(ascii: ":") && digits(3..<5)
            && utf8[5] == UInt8(ascii: ":") && digits(6..<8)
        guard isDate || isTime else { return false }
        return utf8.allSatisfy { isDigit($0) || "-:.TtZz+ ".utf8.contains($0) }
    }
}
