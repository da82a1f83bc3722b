/// Why a JSON document was rejected; messages follow Go's `encoding/json`.
package struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String
    package var offset: Int
    package var description: String { message }
}

/// A strict RFC 8259 parser over bytes, with a nesting limit so hostile input cannot exhaust the stack.
package struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0
    private let maxDepth: Int

    /// Parses one complete JSON document.
    /// - Throws: `JSONParseError` naming the offending character.
    package static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipSpace()
        guard parser.index < bytes.count else { throw parser.error("unexpected end of JSON input") }
        let value = try parser.parseValue(depth: 0, context: "beginning of value")
        parser.skipSpace()
        if parser.index < bytes.count {
            throw parser.error("invalid character \(parser.quotedCurrent) after top-level value")
        }
        return value
    }

    private init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    private func error(_ message: String) -> JSONParseError { JSONParseError(message: message, offset: index) }

    /// Go's `quoteChar`: the byte read as a Latin-1 rune, quoted like `strconv.Quote` but in single quotes.
    private var quotedCurrent: String {
        guard index < bytes.count else { return "end of input" }
        let b = bytes[index]
        switch b {
        case UInt8(ascii: "'"): return "'\\''"
        case 0x07: return "'\\a'"
        case 0x08: return "'\\b'"
        case 0x09: return "'\\t'"
        case 0x0a: return "'\\n'"
        case 0x0b: return "'\\v'"
        case 0x0c: return "'\\f'"
        case 0x0d: return "'\\r'"
        case UInt8(ascii: "\\"): return "'\\\\'"
        case 0..<0x20, 0x7f: return "'\\x\(hex(b, 2))'"
        // U+0080-U+00A0 and U+00AD are not printable for Go's strconv.
        case 0x80...0xa0, 0xad: return "'\\u00\(hex(b, 2))'"
        default: return "'\(Character(Unicode.Scalar(b)))'"
        }
    }

    private func hex(_ b: UInt8, _ width: Int) -> String {
        let digits = String(b, radix: 16)
        return String(repeating: "0", count: width - digits.count) + digits
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0a, 0x0d: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int, context: String) throws -> JSONValue {
        guard depth <= maxDepth else { throw error("exceeded max depth of \(maxDepth)") }
        guard index < bytes.count else { throw error("unexpected end of JSON input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("invalid character \(quotedCurrent) looking for \(context)")
        }
    }

    private mutating func parseLiteral(_ word: String, _ value: JSONValue) throws -> JSONValue {
        for expected in word.utf8 {
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            guard bytes[index] == expected else {
                throw error(
                    "invalid character \(quotedCurrent) in literal \(word) (expecting '\(Character(Unicode.Scalar(expected)))')"
                )
            }
            index += 1
        }
        return value
    }

    private mutating func parseObject(depth: Int) throws -> JSONValue {
        index += 1
        var members: [(String, JSONValue)] = []
        skipSpace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw error("invalid character \(quotedCurrent) looking for beginning of object key string")
            }
            let name = try parseString()
            skipSpace()
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            guard bytes[index] == UInt8(ascii: ":") else {
                throw error("invalid character \(quotedCurrent) after object key")
            }
            index += 1
            skipSpace()
            members.append((name, try parseValue(depth: depth + 1, context: "beginning of value")))
            skipSpace()
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default: throw error("invalid character \(quotedCurrent) after object key:value pair")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipSpace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipSpace()
            items.append(try parseValue(depth: depth + 1, context: "beginning of value"))
            skipSpace()
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(items)
            default: throw error("invalid character \(quotedCurrent) after array element")
            }
        }
    }

    private mutating func parseNumber() throws -> JSONValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else {
            if index >= bytes.count { throw error("unexpected end of JSON input") }
            throw error("invalid character \(quotedCurrent) in numeric literal")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count && isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            guard isDigit(bytes[index]) else {
                throw error("invalid character \(quotedCurrent) after decimal point in numeric literal")
            }
            while index < bytes.count && isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                index += 1
            }
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            guard isDigit(bytes[index]) else {
                throw error("invalid character \(quotedCurrent) in exponent of numeric literal")
            }
            while index < bytes.count && isDigit(bytes[index]) { index += 1 }
        }
        return .number(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private mutating func parseString() throws -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let s = try validUTF8(bytes[start..<index])
                index += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("invalid character \(quotedCurrent) in string literal") }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return try validUTF8(out[...])
            }
            if b < 0x20 { throw error("invalid character \(quotedCurrent) in string literal") }
            if b != UInt8(ascii: "\\") {
                out.append(b)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xd800..<0xdc00).contains(scalar), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                {
                    index += 2
                    let low = try parseHex4()
                    if (0xdc00..<0xe000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                    } else {
                        scalar = 0xfffd
                    }
                } else if (0xd800..<0xe000).contains(scalar) {
                    scalar = 0xfffd
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar) ?? "\u{fffd}").utf8))
            default:
                index -= 1
                throw error("invalid character \(quotedCurrent) in string escape code")
            }
        }
        throw error("unexpected end of JSON input")
    }

    private mutating func parseHex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid character \(quotedCurrent) in \\u hexadecimal character escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private func validUTF8(_ slice: ArraySlice<UInt8>) throws -> String {
        // Go replaces invalid UTF-8 with U+FFFD rather than failing; do the same so no request is refused for it.
        String(decoding: slice, as: UTF8.self)
    }
}
