import Foundation

/// Go's float formatting: shortest round-trip digits for `%v`/`%g`, C-like fixed precision otherwise.
enum GoFloat {
    /// `strconv.FormatFloat(v, 'g', -1, 64)`, which `%v` uses: shortest round-trip digits, and an
    /// exponent when the decimal exponent is below -4 or at least 6 (so JSON's 1000000 prints `1e+06`).
    static func shortest(_ v: Double, upper: Bool = false) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        let (negative, digits, point) = decimalDigits(v)
        let exp = point - 1
        var out = negative ? "-" : ""
        if exp < -4 || exp >= 6 {
            out += String(digits.prefix(1))
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += (upper ? "E" : "e") + (exp < 0 ? "-" : "+") + (abs(exp) < 10 ? "0" : "") + String(abs(exp))
        } else if point <= 0 {
            out += "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            out += digits + String(repeating: "0", count: point - digits.count)
        } else {
            out += digits.prefix(point) + "." + digits.dropFirst(point)
        }
        return out
    }

    /// The shortest decimal digits that round-trip `v`, and where the decimal point goes.
    static func decimalDigits(_ v: Double) -> (negative: Bool, digits: String, point: Int) {
        var text = "\(v)"  // Swift prints the shortest round-trip form, like Go
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var point = intPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        if digits == "0" { point = 1 }
        return (negative, digits, point)
    }

    /// `%e`, `%f`, `%g` with an explicit precision, via C's printf, which agrees with Go there.
    static func formatted(_ v: Double, verb: Character, precision: Int) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        // vsnprintf directly: String(format:) goes through NSString and costs microseconds. Precisions
        // reach Go's limit of about ten million digits, so a long result gets a buffer of its own size.
        let format = "%.*" + String(verb)
        let arguments: [CVarArg] = [Int32(clamping: precision), v]
        var buffer = [CChar](repeating: 0, count: 512)
        var n = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        if n >= 0 && Int(n) >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(n) + 1)
            n = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        }
        guard n >= 0 && Int(n) < buffer.count else { return "%!" + String(verb) + "(float64=?)" }
        return String(decoding: buffer[..<Int(n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `strconv.FormatFloat(v, 'x', precision, 64)`: `-0x1.8p+01`; a precision below 0 gives the
    /// shortest digits, one from 0 to 14 rounds (half to even) as Go's `fmtX` does.
    static func hex(_ v: Double, upper: Bool, precision: Int) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        let bits = v.bitPattern
        var exp = Int((bits >> 52) & 0x7FF)
        var mant = bits & ((1 << 52) - 1)
        if exp == 0 { exp += 1 } else { mant |= 1 << 52 }
        exp -= 1023
        if mant == 0 { exp = 0 }
        mant <<= 8  // the leading 1 at bit 60
        while mant != 0 && mant & (1 << 60) == 0 {
            mant <<= 1
            exp -= 1
        }
        if precision >= 0 && precision < 15 {
            let shift = UInt64(precision * 4)
            let extra = (mant << shift) & ((1 << 60) - 1)
            mant >>= 60 - shift
            if extra | (mant & 1) > 1 << 59 { mant += 1 }
            mant <<= 60 - shift
            if mant & (1 << 61) != 0 {
                mant >>= 1
                exp += 1
            }
        }
        let digits = Array((upper ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var out: [UInt8] = v.sign == .minus ? [UInt8(ascii: "-")] : []
        out += [
            UInt8(ascii: "0"), upper ? UInt8(ascii: "X") : UInt8(ascii: "x"),
            UInt8(ascii: "0") + UInt8((mant >> 60) & 1),
        ]
        mant <<= 4
        if precision < 0 && mant != 0 {
            out.append(UInt8(ascii: "."))
            while mant != 0 {
                out.append(digits[Int((mant >> 60) & 15)])
                mant <<= 4
            }
        } else if precision > 0 {
            out.append(UInt8(ascii: "."))
            for _ in 0..<precision {
                out.append(digits[Int((mant >> 60) & 15)])
                mant <<= 4
            }
        }
        out.append(upper ? UInt8(ascii: "P") : UInt8(ascii: "p"))
        out.append(exp < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let magnitude = String(abs(exp))
        out += Array((magnitude.count < 2 ? "0" + magnitude : magnitude).utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// `strconv.FormatFloat(v, 'b', -1, 64)`: the mantissa and a binary exponent, `4503599627370496p-52`.
    static func binary(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        let bits = v.bitPattern
        var exp = Int((bits >> 52) & 0x7FF)
        var mant = bits & ((1 << 52) - 1)
        if exp == 0 { exp += 1 } else { mant |= 1 << 52 }
        exp -= 1023 + 52
        return (v.sign == .minus ? "-" : "") + String(mant) + "p" + (exp >= 0 ? "+" : "-") + String(abs(exp))
    }
}
