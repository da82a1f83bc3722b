/// Go's `json.Unmarshal` into `interface{}` values: objects become maps, arrays
/// `[]interface {}`, every number a `float64` (so 8080 prints `8080`, 1000000 `1e+06`),
/// null nil. Error messages are Go's.
struct GoJSON {
    private let bytes: [UInt8]
    private var i = 0

    struct SyntaxError: Error {
        var message: String
    }

    /// Decodes one JSON value, then checks only whitespace follows.
    static func decode(_ text: String) throws(SyntaxError) -> Value {
        var parser = GoJSON(bytes: Array(text.utf8))
        parser.skipSpace()
        let value = try parser.value()
        parser.skipSpace()
        if parser.i < parser.bytes.count {
            throw SyntaxError(message: "invalid character \(parser.quoteChar()) after top-level value")
        }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    private func quoteChar() -> String {
        let c = bytes[i]
        if c == UInt8(ascii: "'") { return "'\\''" }
        if c == UInt8(ascii: "\"") { return "'\"'" }
        if c < 0x20 { return "'\\x" + hexPad(UInt32(c), 2) + "'" }
        let scalar = String(decoding: bytes[i..<min(bytes.count, i + utf8Length(c))], as: UTF8.self)
        return "'\(scalar)'"
    }

    private func utf8Length(_ c: UInt8) -> Int { c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4 }

    private var endOfInput: SyntaxError { SyntaxError(message: "unexpected end of JSON input") }

    private mutating func value() throws(SyntaxError) -> Value {
        guard i < bytes.count else { throw endOfInput }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .none)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw SyntaxError(message: "invalid character \(quoteChar()) looking for beginning of value")
        }
    }

    private mutating func literal(_ word: String, _ value: Value) throws(SyntaxError) -> Value {
        for expected in word.utf8 {
            guard i < bytes.count else { throw endOfInput }
            guard bytes[i] == expected else {
                throw SyntaxError(
                    message:
                        "invalid character \(quoteChar()) in literal \(word) (expecting '\(Character(Unicode.Scalar(expected)))')"
                )
            }
            i += 1
        }
        return value
    }

    private mutating func number() throws(SyntaxError) -> Value {
        let start = i
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        func digits(_ p: inout GoJSON) -> Int {
            let s = p.i
            while p.i < p.bytes.count, isDigit(p.bytes[p.i]) { p.i += 1 }
            return p.i - s
        }
        guard i < bytes.count else { throw endOfInput }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else if digits(&self) == 0 {
            throw SyntaxError(message: "invalid character \(quoteChar()) in numeric literal")
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < bytes.count else { throw endOfInput }
            if digits(&self) == 0 {
                throw SyntaxError(message: "invalid character \(quoteChar()) after decimal point in numeric literal")
            }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count else { throw endOfInput }
            if digits(&self) == 0 {
                throw SyntaxError(message: "invalid character \(quoteChar()) in exponent of numeric literal")
            }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        return .float(Double(text) ?? 0)
    }

    private mutating func string() throws(SyntaxError) -> String {
        i += 1
        var out = [UInt8]()
        while true {
            guard i < bytes.count else { throw endOfInput }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw SyntaxError(message: "invalid character \(quoteChar()) in string literal") }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < bytes.count else { throw endOfInput }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"),
                    bytes[i + 1] == UInt8(ascii: "u")
                {
                    let save = i
                    i += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        i = save
                    }
                }
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                out.append(contentsOf: String(Character(scalar)).utf8)
            default:
                i -= 1
                throw SyntaxError(message: "invalid character \(quoteChar()) in string escape code")
            }
        }
    }

    private mutating func hex4() throws(SyntaxError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard i < bytes.count else { throw endOfInput }
            guard let d = Character(Unicode.Scalar(bytes[i])).hexDigitValue else {
                throw SyntaxError(message: "invalid character \(quoteChar()) in \\u hexadecimal character escape")
            }
            v = v * 16 + UInt32(d)
            i += 1
        }
        return v
    }

    private mutating func array() throws(SyntaxError) -> Value {
        i += 1
        var items: [Value] = []
        skipSpace()
        guard i < bytes.count else { throw endOfInput }
        if bytes[i] == UInt8(ascii: "]") {
            i += 1
            return .list(items, .interfaces)
        }
        while true {
            skipSpace()
            items.append(try value())
            skipSpace()
            guard i < bytes.count else { throw endOfInput }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if bytes[i] == UInt8(ascii: "]") {
                i += 1
                return .list(items, .interfaces)
            }
            throw SyntaxError(message: "invalid character \(quoteChar()) after array element")
        }
    }

    private mutating func object() throws(SyntaxError) -> Value {
        i += 1
        var map: [String: Value] = [:]
        skipSpace()
        guard i < bytes.count else { throw endOfInput }
        if bytes[i] == UInt8(ascii: "}") {
            i += 1
            return .map(map)
        }
        while true {
            skipSpace()
            guard i < bytes.count else { throw endOfInput }
            guard bytes[i] == UInt8(ascii: "\"") else {
                throw SyntaxError(
                    message: "invalid character \(quoteChar()) looking for beginning of object key string")
            }
            let key = try string()
            skipSpace()
            guard i < bytes.count else { throw endOfInput }
            guard bytes[i] == UInt8(ascii: ":") else {
                throw SyntaxError(message: "invalid character \(quoteChar()) after object key")
            }
            i += 1
            skipSpace()
            map[key] = try value()
            skipSpace()
            guard i < bytes.count else { throw endOfInput }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if bytes[i] == UInt8(ascii: "}") {
                i += 1
                return .map(map)
            }
            throw SyntaxError(message: "invalid character \(quoteChar()) after object key:value pair")
        }
    }
}
