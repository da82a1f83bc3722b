/// Reads TOML (v1.0) documents: tables, arrays of tables, dotted and quoted keys, basic and literal
/// strings (single- and multi-line, with escapes), integers (decimal, hex, octal, binary), floats,
/// booleans, date-times (kept as text), arrays over several lines and inline tables, with comments.
///
/// Every failure is a `TOMLError` naming the line; no input crashes it (Tests/FormatsTests/TOMLFuzzTests).
package enum TOMLReader {
    /// Nesting deeper than this (arrays in arrays, inline tables) is refused, never a stack overflow.
    package static let maximumDepth = 64

    /// Parses `text`; `file` only names the source in errors.
    /// - Throws: `TOMLError` with the line and reason; nothing is returned.
    package static func parse(_ text: String, file: String = "") throws(TOMLError) -> TOMLTable {
        try parse(Array(text.utf8), file: file)
    }

    /// Parses UTF-8 bytes; `file` only names the source in errors.
    /// - Throws: `TOMLError` with the line and reason; nothing is returned.
    package static func parse(_ bytes: [UInt8], file: String = "") throws(TOMLError) -> TOMLTable {
        var parser = TOMLParser(bytes: bytes, file: file)
        try parser.parseDocument()
        return parser.root
    }
}

/// The parser's state: a cursor over the bytes, the current line and the table headers seen.
struct TOMLParser {
    let bytes: [UInt8]
    let file: String
    var position = 0
    var line = 1
    var root = TOMLTable()
    /// The table that `key = value` lines go to (set by the last header).
    var current: [String] = []
    /// Paths made by `[[header]]`: only these arrays may grow by another `[[header]]`.
    var tableArrays: Set<[String]> = []
    /// Paths of inline tables and static arrays, which TOML forbids extending later.
    var frozen: Set<[String]> = []

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    func fail(_ reason: String) -> TOMLError {
        TOMLError(file: file, line: line, reason: reason)
    }

    var atEnd: Bool { position >= bytes.count }
    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    func peek(at offset: Int) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    // MARK: Document

    mutating func parseDocument() throws(TOMLError) {
        while true {
            skipBlanks()
            guard let byte = peek else { return }
            switch byte {
            case UInt8(ascii: "#"):
                try skipComment()
                continue
            case UInt8(ascii: "\n"):
                position += 1
                line += 1
                continue
            case UInt8(ascii: "\r"):
                try expectNewline()
                continue
            case UInt8(ascii: "["):
                try parseHeader()
            default:
                try parseKeyValue(into: current, depth: 0)
            }
            try endOfLine()
        }
    }

    /// After a statement: blanks, an optional comment, then a newline or the end.
    mutating func endOfLine() throws(TOMLError) {
        skipBlanks()
        guard let byte = peek else { return }
        if byte == UInt8(ascii: "#") {
            try skipComment()
            return
        }
        if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
            try expectNewline()
            return
        }
        throw fail("expected the end of the line, found \(describe(byte))")
    }

    mutating func expectNewline() throws(TOMLError) {
        if peek == UInt8(ascii: "\r") {
            guard peek(at: 1) == UInt8(ascii: "\n") else { throw fail("carriage return without a line feed") }
            position += 1
        }
        guard peek == UInt8(ascii: "\n") else { throw fail("expected a new line") }
        position += 1
        line += 1
    }

    mutating func skipBlanks() {
        while let byte = peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { position += 1 }
    }

    mutating func skipComment() throws(TOMLError) {
        while let byte = peek, byte != UInt8(ascii: "\n") {
            if byte == UInt8(ascii: "\r") && peek(at: 1) == UInt8(ascii: "\n") { break }
            if isForbiddenControl(byte) { throw fail("control character \(describe(byte)) in a comment") }
            position += 1
        }
    }

    /// Control characters TOML allows nowhere except as tabs (and newlines between lines).
    func isForbiddenControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F
    }

    func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        if byte == UInt8(ascii: " ") { return "a space" }
        if byte == UInt8(ascii: "\n") { return "the end of the line" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    // MARK: Headers

    mutating func parseHeader() throws(TOMLError) {
        position += 1
        let isArray = peek == UInt8(ascii: "[")
        if isArray { position += 1 }
        skipBlanks()
        let path = try parseKey()
        skipBlanks()
        guard peek == UInt8(ascii: "]") else { throw fail("expected ']' to close the table header") }
        position += 1
        if isArray {
            guard peek == UInt8(ascii: "]") else { throw fail("expected ']]' to close the array of tables header") }
            position += 1
        }
        let name = path.joined(separator: ".")
        if isArray {
            try defineTableArrayElement(path, name: name)
        } else {
            try defineTable(path, name: name)
        }
        current = path
    }

    mutating func defineTable(_ path: [String], name: String) throws(TOMLError) {
        let line = self.line
        let parent = Array(path.dropLast())
        let last = path[path.count - 1]
        if frozen.contains(path) { throw fail("cannot define table [\(name)]: it was written inline") }
        let reason: String? = try withTable(at: parent) { table throws(TOMLError) -> String? in
            if let index = table.index(of: last) {
                guard case .table(var existing) = table.entries[index].value else {
                    return "cannot define table [\(name)]: the key is already \(table.entries[index].value.typeName)"
                }
                if existing.explicitlyDefined { return "table [\(name)] is defined twice" }
                existing.explicitlyDefined = true
                table.replace(at: index, with: .table(existing))
            } else {
                var fresh = TOMLTable()
                fresh.explicitlyDefined = true
                table.append(last, .table(fresh), line: line)
            }
            return nil
        }
        if let reason { throw fail(reason) }
    }

    mutating func defineTableArrayElement(_ path: [String], name: String) throws(TOMLError) {
        let line = self.line
        let parent = Array(path.dropLast())
        let last = path[path.count - 1]
        let isKnownArray = tableArrays.contains(path)
        let reason: String? = try withTable(at: parent) { table throws(TOMLError) -> String? in
            if let index = table.index(of: last) {
                guard isKnownArray, case .array(var items) = table.entries[index].value else {
                    return "cannot define [[\(name)]]: the key is already \(table.entries[index].value.typeName)"
                }
                items.append(.table(TOMLTable()))
                table.replace(at: index, with: .array(items))
            } else {
                table.append(last, .array([.table(TOMLTable())]), line: line)
            }
            return nil
        }
        if let reason { throw fail(reason) }
        tableArrays.insert(path)
        // A new element starts fresh: headers below it may be defined again.
        tableArrays = tableArrays.filter { !($0.count > path.count && Array($0.prefix(path.count)) == path) }
        frozen = frozen.filter { !($0.count > path.count && Array($0.prefix(path.count)) == path) }
    }

    /// Runs `body` on the table at `path`, creating implicit tables on the way; an array of tables
    /// on the way means its last element, as TOML says.
    mutating func withTable<Result>(
        at path: [String], _ body: (inout TOMLTable) throws(TOMLError) -> Result
    ) throws(TOMLError) -> Result {
        let line = self.line
        let file = self.file
        return try Self.descend(&root, path[...], line: line, file: file, body)
    }

    static func descend<Result>(
        _ table: inout TOMLTable, _ path: ArraySlice<String>, line: Int, file: String,
        _ body: (inout TOMLTable) throws(TOMLError) -> Result
    ) throws(TOMLError) -> Result {
        guard let first = path.first else { return try body(&table) }
        let rest = path.dropFirst()
        guard let index = table.index(of: first) else {
            var fresh = TOMLTable()
            let result = try descend(&fresh, rest, line: line, file: file, body)
            table.append(first, .table(fresh), line: line)
            return result
        }
        switch table.entries[index].value {
        case .table(var inner):
            let result = try descend(&inner, rest, line: line, file: file, body)
            table.replace(at: index, with: .table(inner))
            return result
        case .array(var items):
            guard let lastIndex = items.indices.last, case .table(var inner) = items[lastIndex] else {
                throw TOMLError(file: file, line: line, reason: "key '\(first)' is an array, not a table")
            }
            let result = try descend(&inner, rest, line: line, file: file, body)
            items[lastIndex] = .table(inner)
            table.replace(at: index, with: .array(items))
            return result
        case let other:
            throw TOMLError(file: file, line: line, reason: "key '\(first)' is already \(other.typeName), not a table")
        }
    }

    // MARK: Keys and values

    /// `key = value` (dotted keys allowed) into the table at `base`.
    mutating func parseKeyValue(into base: [String], depth: Int) throws(TOMLError) {
        let key = try parseKey()
        skipBlanks()
        guard peek == UInt8(ascii: "=") else {
            if atEnd || peek == UInt8(ascii: "\n") || peek == UInt8(ascii: "\r") {
                throw fail("expected '=' after key '\(key.joined(separator: "."))'")
            }
            throw fail("expected '=' after key '\(key.joined(separator: "."))', found \(describe(peek ?? 0))")
        }
        position += 1
        skipBlanks()
        let startLine = line
        let value = try parseValue(path: base + key, depth: depth)
        let full = base + key
        for length in (base.count + 1)..<full.count where frozen.contains(Array(full.prefix(length))) {
            throw fail("cannot add key '\(key.joined(separator: "."))' to an inline table")
        }
        let last = full[full.count - 1]
        let name = key.joined(separator: ".")
        let duplicate: Bool = try withTable(at: Array(full.dropLast())) { table throws(TOMLError) -> Bool in
            if table.index(of: last) != nil { return true }
            table.append(last, value, line: startLine)
            return false
        }
        if duplicate {
            line = startLine
            throw fail("key '\(name)' is defined twice")
        }
    }

    /// A key: bare, quoted or literal parts joined by dots.
    mutating func parseKey() throws(TOMLError) -> [String] {
        var parts: [String] = []
        while true {
            skipBlanks()
            guard let byte = peek else { throw fail("expected a key, found the end of the file") }
            if byte == UInt8(ascii: "\"") {
                if peek(at: 1) == UInt8(ascii: "\"") && peek(at: 2) == UInt8(ascii: "\"") {
                    throw fail("a key cannot be a multi-line string")
                }
                parts.append(try parseBasicString())
            } else if byte == UInt8(ascii: "'") {
                if peek(at: 1) == UInt8(ascii: "'") && peek(at: 2) == UInt8(ascii: "'") {
                    throw fail("a key cannot be a multi-line string")
                }
                parts.append(try parseLiteralString())
            } else {
                let start = position
                while let b = peek, isBareKeyByte(b) { position += 1 }
                guard position > start else { throw fail("expected a key, found \(describe(byte))") }
                parts.append(String(decoding: bytes[start..<position], as: UTF8.self))
            }
            skipBlanks()
            guard peek == UInt8(ascii: ".") else { return parts }
            position += 1
        }
    }

    func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "-")
    }

    mutating func parseValue(path: [String], depth: Int) throws(TOMLError) -> TOMLValue {
        guard depth < TOMLReader.maximumDepth else {
            throw fail("values nest deeper than \(TOMLReader.maximumDepth) levels")
        }
        guard let byte = peek else { throw fail("expected a value, found the end of the file") }
        switch byte {
        case UInt8(ascii: "\""):
            if peek(at: 1) == UInt8(ascii: "\"") && peek(at: 2) == UInt8(ascii: "\"") {
                return .string(try parseMultilineBasicString())
            }
            return .string(try parseBasicString())
        case UInt8(ascii: "'"):
            if peek(at: 1) == UInt8(ascii: "'") && peek(at: 2) == UInt8(ascii: "'") {
                return .string(try parseMultilineLiteralString())
            }
            return .string(try parseLiteralString())
        case UInt8(ascii: "["):
            let value = try parseArray(path: path, depth: depth)
            frozen.insert(path)
            return value
        case UInt8(ascii: "{"):
            let value = try parseInlineTable(path: path, depth: depth)
            frozen.insert(path)
            return value
        default:
            return try parseScalar()
        }
    }

    mutating func parseArray(path: [String], depth: Int) throws(TOMLError) -> TOMLValue {
        position += 1
        var items: [TOMLValue] = []
        while true {
            try skipWhitespaceCommentsAndNewlines()
            guard let byte = peek else { throw fail("unterminated array (missing ']')") }
            if byte == UInt8(ascii: "]") {
                position += 1
                return .array(items)
            }
            items.append(try parseValue(path: path + [String(items.count)], depth: depth + 1))
            try skipWhitespaceCommentsAndNewlines()
            guard let next = peek else { throw fail("unterminated array (missing ']')") }
            if next == UInt8(ascii: ",") {
                position += 1
            } else if next != UInt8(ascii: "]") {
                throw fail("expected ',' or ']' in an array, found \(describe(next))")
            }
        }
    }

    mutating func skipWhitespaceCommentsAndNewlines() throws(TOMLError) {
        while let byte = peek {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                position += 1
            } else if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                try expectNewline()
            } else if byte == UInt8(ascii: "#") {
                try skipComment()
            } else {
                return
            }
        }
    }

    mutating func parseInlineTable(path: [String], depth: Int) throws(TOMLError) -> TOMLValue {
        position += 1
        // Parse into a scratch parser state rooted at this table, so dotted keys and duplicates work.
        let savedRoot = root
        let savedFrozen = frozen
        root = TOMLTable()
        frozen = []
        defer {
            root = savedRoot
            frozen = savedFrozen.union(frozen.map { path + $0 })
        }
        skipBlanks()
        if peek == UInt8(ascii: "}") {
            position += 1
            return .table(root)
        }
        while true {
            skipBlanks()
            if peek == UInt8(ascii: "\n") || peek == UInt8(ascii: "\r") {
                throw fail("an inline table must be on one line")
            }
            try parseKeyValue(into: [], depth: depth + 1)
            skipBlanks()
            guard let byte = peek else { throw fail("unterminated inline table (missing '}')") }
            if byte == UInt8(ascii: "}") {
                position += 1
                return .table(root)
            }
            guard byte == UInt8(ascii: ",") else {
                throw fail("expected ',' or '}' in an inline table, found \(describe(byte))")
            }
            position += 1
        }
    }
}
