/// Scalars (plain, quoted) typed as yaml.v2 types them, and one-line flow collections.
extension YAMLParser {
    func scalarOrFlow(_ text: Substring, line: Int, depth: Int) throws(YAMLError) -> YAMLValue {
        if text.first == "[" || text.first == "{" {
            var flow = FlowReader(text: Array(text.unicodeScalars), line: line, file: file)
            let value = try flow.value(depth: depth)
            flow.skipSpaces()
            guard flow.atEnd else { throw fail(line, "unexpected text after a flow collection") }
            return value
        }
        if text.first == "\"" || text.first == "'" {
            guard let close = closingQuote(text), text.index(after: close) == text.endIndex else {
                throw fail(line, "unterminated or malformed quoted string")
            }
            return .string(try quoted(text, line: line))
        }
        return try plain(text, line: line)
    }

    func plain(_ text: Substring, line: Int) throws(YAMLError) -> YAMLValue {
        if let first = text.first, "&*!|>%@`".contains(first) {
            throw fail(line, "'\(first)' cannot start a plain value here (anchors, aliases and tags are not supported)")
        }
        return Self.resolve(text)
    }

    /// yaml.v2's resolution of a plain scalar.
    static func resolve(_ text: Substring) -> YAMLValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return .bool(true)
        case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        if let first = text.first, first == "-" || first == "+" || first == "." || first.isNumber {
            if let value = GoInteger.parse(text) { return .int(value) }
            if isFloatText(text), let value = Double(String(text)) { return .float(value) }
        }
        return .string(String(text))
    }

    /// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`, yaml.v2's float pattern.
    static func isFloatText(_ text: Substring) -> Bool {
        var s = text[...]
        if s.first == "-" || s.first == "+" { s = s.dropFirst() }
        let whole = s.prefix { $0.isASCII && $0.isNumber }
        s = s.dropFirst(whole.count)
        var fraction = Substring("")
        if s.first == "." {
            s = s.dropFirst()
            fraction = s.prefix { $0.isASCII && $0.isNumber }
            s = s.dropFirst(fraction.count)
            if whole.isEmpty && fraction.isEmpty { return false }
        } else if whole.isEmpty {
            return false
        }
        if s.first == "e" || s.first == "E" {
            s = s.dropFirst()
            if s.first == "-" || s.first == "+" { s = s.dropFirst() }
            let exponent = s.prefix { $0.isASCII && $0.isNumber }
            guard !exponent.isEmpty else { return false }
            s = s.dropFirst(exponent.count)
        }
        return s.isEmpty
    }

    /// The text of a complete quoted scalar.
    func quoted(_ text: Substring, line: Int) throws(YAMLError) -> String {
        let body = text.dropFirst().dropLast()
        if text.first == "'" { return String(body).replacing("''", with: "'") }
        var out = ""
        var i = body.startIndex
        while i < body.endIndex {
            let c = body[i]
            i = body.index(after: i)
            guard c == "\\" else {
                out.append(c)
                continue
            }
            guard i < body.endIndex else { throw fail(line, "a string ends with a lone backslash") }
            let e = body[i]
            i = body.index(after: i)
            switch e {
            case "0": out.append("\0")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "t", "\t": out.append("\t")
            case "n": out.append("\n")
            case "v": out.append("\u{0B}")
            case "f": out.append("\u{0C}")
            case "r": out.append("\r")
            case "e": out.append("\u{1B}")
            case " ": out.append(" ")
            case "\"": out.append("\"")
            case "/": out.append("/")
            case "\\": out.append("\\")
            case "N": out.append("\u{85}")
            case "_": out.append("\u{A0}")
            case "x", "u", "U":
                let count = e == "x" ? 2 : e == "u" ? 4 : 8
                let digits = body[i...].prefix(count)
                guard digits.count == count, let code = UInt32(String(digits), radix: 16),
                    let scalar = Unicode.Scalar(code)
                else { throw fail(line, "invalid \\\(e) escape in a string") }
                out.unicodeScalars.append(scalar)
                i = body.index(i, offsetBy: count)
            default:
                throw fail(line, "invalid escape '\\\(e)' in a string")
            }
        }
        return out
    }
}

/// One-line flow collections: `[a, "b", {c: 1}]`.
struct FlowReader {
    let text: [Unicode.Scalar]
    let line: Int
    let file: String
    var position = 0

    init(text: [Unicode.Scalar], line: Int, file: String) {
        self.text = text
        self.line = line
        self.file = file
    }

    var atEnd: Bool { position >= text.count }

    func fail(_ reason: String) -> YAMLError { YAMLError(file: file, line: line, reason: reason) }

    mutating func skipSpaces() {
        while position < text.count, text[position] == " " { position += 1 }
    }

    mutating func value(depth: Int) throws(YAMLError) -> YAMLValue {
        guard depth < YAMLReader.maximumDepth else {
            throw fail("nesting deeper than \(YAMLReader.maximumDepth) levels")
        }
        skipSpaces()
        guard position < text.count else { throw fail("unterminated flow collection") }
        switch text[position] {
        case "[":
            position += 1
            var items: [YAMLValue] = []
            while true {
                skipSpaces()
                guard position < text.count else { throw fail("unterminated flow sequence (missing ']')") }
                if text[position] == "]" {
                    position += 1
                    return .list(items)
                }
                items.append(try value(depth: depth + 1))
                skipSpaces()
                guard position < text.count else { throw fail("unterminated flow sequence (missing ']')") }
                if text[position] == "," {
                    position += 1
                } else if text[position] != "]" {
                    throw fail("expected ',' or ']' in a flow sequence")
                }
            }
        case "{":
            position += 1
            var entries: [(String, YAMLValue)] = []
            while true {
                skipSpaces()
                guard position < text.count else { throw fail("unterminated flow mapping (missing '}')") }
                if text[position] == "}" {
                    position += 1
                    return .map(entries)
                }
                let key = try scalar(stopAtColon: true)
                skipSpaces()
                var item = YAMLValue.null
                if position < text.count && text[position] == ":" {
                    position += 1
                    item = try value(depth: depth + 1)
                }
                let name: String
                switch key {
                case .string(let s): name = s
                case .null: name = ""
                default: name = Self.keyName(key)
                }
                if let existing = entries.firstIndex(where: { $0.0 == name }) {
                    entries[existing].1 = item
                } else {
                    entries.append((name, item))
                }
                skipSpaces()
                guard position < text.count else { throw fail("unterminated flow mapping (missing '}')") }
                if text[position] == "," {
                    position += 1
                } else if text[position] != "}" {
                    throw fail("expected ',' or '}' in a flow mapping")
                }
            }
        default:
            return try scalar(stopAtColon: false)
        }
    }

    static func keyName(_ value: YAMLValue) -> String {
        switch value {
        case .bool(let b): "\(b)"
        case .int(let i): "\(i)"
        case .float(let f): "\(f)"
        case .string(let s): s
        default: ""
        }
    }

    mutating func scalar(stopAtColon: Bool) throws(YAMLError) -> YAMLValue {
        skipSpaces()
        guard position < text.count else { throw fail("expected a value") }
        let quote = text[position]
        if quote == "\"" || quote == "'" {
            var end = position + 1
            while end < text.count {
                if quote == "\"" && text[end] == "\\" {
                    end += 2
                    continue
                }
                if text[end] == quote {
                    if quote == "'" && end + 1 < text.count && text[end + 1] == "'" {
                        end += 2
                        continue
                    }
                    break
                }
                end += 1
            }
            guard end < text.count else { throw fail("unterminated quoted string") }
            var literal = ""
            literal.unicodeScalars.append(contentsOf: text[position...end])
            position = end + 1
            let parser = YAMLScalarQuoting(file: file)
            return .string(try parser.quoted(Substring(literal), line: line))
        }
        let start = position
        while position < text.count {
            let c = text[position]
            if c == "," || c == "]" || c == "}" { break }
            if c == ":" && stopAtColon && (position + 1 == text.count || text[position + 1] == " ") { break }
            if c == "[" || c == "{" { throw fail("unexpected '\(c)' inside a flow value") }
            position += 1
        }
        var plain = ""
        plain.unicodeScalars.append(contentsOf: text[start..<position])
        let trimmed = Substring(plain.reversed().drop { $0 == " " }.reversed())
        if let first = trimmed.first, "&*!|>%@`".contains(first) {
            throw fail("'\(first)' cannot start a plain value here (anchors, aliases and tags are not supported)")
        }
        return YAMLParser.resolve(trimmed)
    }
}

/// Quoted-scalar decoding shared by block and flow readers.
struct YAMLScalarQuoting {
    let file: String

    func quoted(_ text: Substring, line: Int) throws(YAMLError) -> String {
        let parser = YAMLParser(file: file)
        return try parser.quoted(text, line: line)
    }
}

extension YAMLParser {
    /// A parser with no lines, for decoding single scalars.
    init(file: String) {
        self.file = file
        self.raw = []
    }
}
