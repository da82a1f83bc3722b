/// Go's literal syntax: numbers, character constants and quoted strings, read and written.
enum GoLiteral {
    /// Whether Go's lexer (`scanNumber`) takes all of `text` as one number; when it does not,
    /// Go reports "bad number syntax", when it does but the value is invalid, "illegal number syntax".
    static func lexerAccepts(_ text: Substring) -> Bool {
        let b = Array(text.utf8)
        var i = 0
        func accept(_ set: String) -> Bool {
            if i < b.count && set.utf8.contains(b[i]) {
                i += 1
                return true
            }
            return false
        }
        func run(_ set: String) { while accept(set) {} }
        _ = accept("+-")
        var digits = "0123456789_"
        if accept("0") {
            if accept("xX") {
                digits = "0123456789abcdefABCDEF_"
            } else if accept("oO") {
                digits = "01234567_"
            } else if accept("bB") {
                digits = "01_"
            }
        }
        run(digits)
        if accept(".") { run(digits) }
        if digits.count == 11 && accept("eE") {
            _ = accept("+-")
            run("0123456789_")
        }
        if digits.count == 23 && accept("pP") {
            _ = accept("+-")
            run("0123456789_")
        }
        _ = accept("i")
        return i == b.count
    }

    /// The contents of a Go quoted (`"..."`), raw (`` `...` ``) or character (`'.'`) literal.
    static func unquote(_ text: Substring) -> String? {
        guard let quote = text.first, text.count >= 2, text.last == quote else { return nil }
        let inner = text.dropFirst().dropLast()
        if quote == "`" { return String(inner).replacingAll("\r", with: "") }
        var out = String.UnicodeScalarView()
        var it = inner.unicodeScalars.makeIterator()
        while let c = it.next() {
            guard c == "\\" else {
                if c == "\n" { return nil }
                out.append(c)
                continue
            }
            guard let e = it.next() else { return nil }
            switch e {
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "\\": out.append("\\")
            case "\"" where quote == "\"", "'" where quote == "'": out.append(e)
            case "x", "u", "U":
                let count = e == "x" ? 2 : e == "u" ? 4 : 8
                var hex = ""
                for _ in 0..<count {
                    guard let h = it.next() else { return nil }
                    hex.unicodeScalars.append(h)
                }
                guard let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else { return nil }
                out.append(scalar)
            case "0"..."7":
                var oct = String(e)
                for _ in 0..<2 {
                    guard let o = it.next() else { return nil }
                    oct.unicodeScalars.append(o)
                }
                guard let v = UInt32(oct, radix: 8), v < 256, let scalar = Unicode.Scalar(v) else { return nil }
                out.append(scalar)
            default: return nil
            }
        }
        return String(out)
    }
}

/// Go's `strconv.Quote`: a double-quoted literal with Go escapes; printable Unicode kept.
func goQuote(_ s: String, asciiOnly: Bool = false) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{07}": out += "\\a"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\u{0B}": out += "\\v"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\x" + hexPad(scalar.value, 2)
            } else if scalar.value >= 0x80 && (asciiOnly || !scalar.properties.isGoPrintable) {
                out += scalar.value > 0xFFFF ? "\\U" + hexPad(scalar.value, 8) : "\\u" + hexPad(scalar.value, 4)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

func hexPad(_ v: UInt32, _ width: Int) -> String {
    let h = String(v, radix: 16)
    return String(repeating: "0", count: max(0, width - h.count)) + h
}

extension Unicode.Scalar.Properties {
    /// Close to Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and U+0020.
    var isGoPrintable: Bool {
        switch generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
            .spaceSeparator:
            false
        default: true
        }
    }
}

extension StringProtocol {
    /// Every occurrence of `target` replaced, by bytes (no Foundation, no Unicode matching).
    func replacingAll(_ target: String, with replacement: String) -> String {
        // Only ever used on literals and quoted values, which stay far below the length limit.
        (try? goReplace(String(self), target, replacement, -1)) ?? String(self)
    }
}
