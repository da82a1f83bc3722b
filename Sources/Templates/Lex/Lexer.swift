/// Splits template source into tokens the way Go's text/template lexer does:
/// `{{`/`}}` delimiters, `{{- ` and ` -}}` trim markers, comments, quoted and raw strings,
/// character constants, numbers, variables, fields and keywords.
struct Lexer {
    private let source: String
    private let bytes: [UInt8]
    private var position = 0
    private var tokens: [Token] = []
    private var parenDepth = 0

    init(_ source: String) {
        self.source = source
        self.bytes = Array(source.utf8)
    }

    /// An error the lexer found, with the byte offset it refers to.
    struct Failure: Error {
        var offset: Int
        var message: String
    }

    /// All tokens, ending with `.eof`.
    /// - Throws: `Failure` at the first malformed token; nothing is returned.
    static func tokenize(_ source: String) throws(Failure) -> [Token] {
        var lexer = Lexer(source)
        try lexer.run()
        return lexer.tokens
    }

    private mutating func run() throws(Failure) {
        var textStart = 0
        var trimNextText = false
        while true {
            guard let delim = find(open, from: position) else {
                emitText(from: textStart, to: bytes.count, trimLeading: trimNextText, trimTrailing: false)
                tokens.append(Token(kind: .eof, text: "", offset: bytes.count))
                return
            }
            let trimsBefore = hasTrimMarker(after: delim)
            emitText(from: textStart, to: delim, trimLeading: trimNextText, trimTrailing: trimsBefore)
            position = delim + 2 + (trimsBefore ? 2 : 0)
            // A comment must start right after the delimiter (and trim marker).
            if bytes[position...].starts(with: "/*".utf8) {
                trimNextText = try skipComment(delimOffset: delim)
            } else {
                tokens.append(Token(kind: .leftDelim, text: slice(delim, delim + 2), offset: delim))
                trimNextText = try lexInsideAction()
            }
            textStart = position
        }
    }

    private let open: [UInt8] = Array("{{".utf8)
    private let close: [UInt8] = Array("}}".utf8)

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        var i = start
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0] && bytes[i + 1] == needle[1] { return i }
            i += 1
        }
        return nil
    }

    private func hasTrimMarker(after delim: Int) -> Bool {
        delim + 3 < bytes.count && bytes[delim + 2] == UInt8(ascii: "-") && isSpace(bytes[delim + 3])
    }

    private func atRightTrim(_ i: Int) -> Bool {
        i + 3 < bytes.count + 0 && isSpace(bytes[i]) && bytes[i + 1] == UInt8(ascii: "-")
            && bytes[i + 2] == close[0] && bytes[i + 3] == close[1]
    }

    private mutating func emitText(from start: Int, to end: Int, trimLeading: Bool, trimTrailing: Bool) {
        var s = start
        var e = end
        if trimLeading { while s < e && isSpace(bytes[s]) { s += 1 } }
        if trimTrailing { while e > s && isSpace(bytes[e - 1]) { e -= 1 } }
        if e > s { tokens.append(Token(kind: .text, text: slice(s, e), offset: s)) }
    }

    private func slice(_ start: Int, _ end: Int) -> Substring {
        let utf8 = source.utf8
        let from = utf8.index(utf8.startIndex, offsetBy: start)
        let to = utf8.index(from, offsetBy: end - start)
        return Substring(source.utf8[from..<to])
    }

    /// Skips `/* ... */` and its closing delimiter; returns whether it ended with ` -}}`.
    private mutating func skipComment(delimOffset: Int) throws(Failure) -> Bool {
        var i = position + 2
        while i + 1 < bytes.count && !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
        guard i + 1 < bytes.count else { throw Failure(offset: delimOffset, message: "unclosed comment") }
        i += 2
        if atRightTrim(i) {
            position = i + 4
            return true
        }
        guard i + 1 < bytes.count, bytes[i] == close[0], bytes[i + 1] == close[1] else {
            throw Failure(offset: delimOffset, message: "comment ends before closing delimiter")
        }
        position = i + 2
        return false
    }

    /// Lexes one action up to and including its right delimiter; returns whether it trims.
    private mutating func lexInsideAction() throws(Failure) -> Bool {
        let actionStart = position
        while true {
            if atRightTrim(position) && parenDepth == 0 {
                tokens.append(Token(kind: .rightDelim, text: slice(position + 2, position + 4), offset: position + 2))
                position += 4
                return true
            }
            if position + 1 < bytes.count && bytes[position] == close[0] && bytes[position + 1] == close[1] {
                if parenDepth > 0 { throw Failure(offset: position, message: "unclosed left paren") }
                tokens.append(Token(kind: .rightDelim, text: slice(position, position + 2), offset: position))
                position += 2
                return false
            }
            guard position < bytes.count else {
                throw Failure(offset: max(actionStart - 2, 0), message: "unclosed action")
            }
            try lexOne()
        }
    }

    private mutating func lexOne() throws(Failure) {
        let start = position
        let c = bytes[position]
        switch c {
        case _ where isSpace(c):
            while position < bytes.count && isSpace(bytes[position]) && !atRightTrim(position) { position += 1 }
            if position == start {
                position += 1
            }  // the space before " -}}" is part of the marker
            else {
                emit(.space, start)
            }
        case UInt8(ascii: "="):
            position += 1
            emit(.assign, start)
        case UInt8(ascii: ":"):
            guard position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "=") else {
                throw Failure(offset: start, message: "expected :=")
            }
            position += 2
            emit(.declare, start)
        case UInt8(ascii: "|"):
            position += 1
            emit(.pipe, start)
        case UInt8(ascii: ","):
            position += 1
            emit(.comma, start)
        case UInt8(ascii: "\""):
            try lexQuote(start)
        case UInt8(ascii: "`"):
            position += 1
            while position < bytes.count && bytes[position] != UInt8(ascii: "`") { position += 1 }
            guard position < bytes.count else {
                throw Failure(offset: start, message: "unterminated raw quoted string")
            }
            position += 1
            emit(.rawString, start)
        case UInt8(ascii: "'"):
            try lexChar(start)
        case UInt8(ascii: "$"):
            position += 1
            while position < bytes.count && isAlphaNumeric(bytes[position]) { position += 1 }
            emit(.variable, start)
        case UInt8(ascii: "."):
            if position + 1 < bytes.count && isDigit(bytes[position + 1]) {
                try lexNumber(start)
            } else {
                position += 1
                while position < bytes.count && isAlphaNumeric(bytes[position]) { position += 1 }
                emit(position - start == 1 ? .dot : .field, start)
            }
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try lexNumber(start)
        case UInt8(ascii: "("):
            position += 1
            parenDepth += 1
            emit(.leftParen, start)
        case UInt8(ascii: ")"):
            position += 1
            parenDepth = max(parenDepth - 1, 0)
            emit(.rightParen, start)
        case _ where isAlphaNumeric(c) || c >= 0x80:
            while position < bytes.count && (isAlphaNumeric(bytes[position]) || bytes[position] >= 0x80) {
                position += 1
            }
            let word = slice(start, position)
            if let keyword = Token.Keyword(rawValue: String(word)) {
                emit(.keyword(keyword), start)
            } else {
                switch word {
                case "true", "false": emit(.bool, start)
                case "nil": emit(.nil, start)
                default: emit(.identifier, start)
                }
            }
        case _ where c >= 0x21 && c < 0x7F:
            position += 1
            emit(.char, start)  // punctuation: the parser reports it as unexpected, as Go does
        default:
            let scalar = Unicode.Scalar(c)
            throw Failure(offset: start, message: "unrecognized character in action: \(goRune(scalar))")
        }
    }

    private mutating func emit(_ kind: Token.Kind, _ start: Int) {
        tokens.append(Token(kind: kind, text: slice(start, position), offset: start))
    }

    private mutating func lexQuote(_ start: Int) throws(Failure) {
        position += 1
        while true {
            guard position < bytes.count, bytes[position] != UInt8(ascii: "\n") else {
                throw Failure(offset: start, message: "unterminated quoted string")
            }
            let c = bytes[position]
            position += 1
            if c == UInt8(ascii: "\\") {
                guard position < bytes.count, bytes[position] != UInt8(ascii: "\n") else {
                    throw Failure(offset: start, message: "unterminated quoted string")
                }
                position += 1
            } else if c == UInt8(ascii: "\"") {
                break
            }
        }
        emit(.string, start)
    }

    private mutating func lexChar(_ start: Int) throws(Failure) {
        position += 1
        while true {
            guard position < bytes.count, bytes[position] != UInt8(ascii: "\n") else {
                throw Failure(offset: start, message: "unterminated character constant")
            }
            let c = bytes[position]
            position += 1
            if c == UInt8(ascii: "\\") {
                guard position < bytes.count else {
                    throw Failure(offset: start, message: "unterminated character constant")
                }
                position += 1
            } else if c == UInt8(ascii: "'") {
                break
            }
        }
        emit(.charConstant, start)
    }

    private mutating func lexNumber(_ start: Int) throws(Failure) {
        // Like Go: take the longest run that could be a number, let the parser validate it.
        if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) {
            position += 1
        }
        while position < bytes.count {
            let c = bytes[position]
            if isAlphaNumeric(c) || c == UInt8(ascii: ".") {
                position += 1
            } else if (c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) && position > start
                && (isHex(start) ? "pP" : "eE").utf8.contains(bytes[position - 1])
            {
                // An exponent's sign: after e/E in decimal, after p/P in hex (where e is a digit).
                position += 1
            } else {
                break
            }
        }
        emit(.number, start)
    }

    private func isHex(_ start: Int) -> Bool {
        var i = start
        if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
        return i + 1 < bytes.count && bytes[i] == UInt8(ascii: "0")
            && (bytes[i + 1] == UInt8(ascii: "x") || bytes[i + 1] == UInt8(ascii: "X"))
    }
}

func isSpace(_ c: UInt8) -> Bool {
    c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "\n")
}

func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

func isAlphaNumeric(_ c: UInt8) -> Bool {
    isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
        || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
        || c == UInt8(ascii: "_")
}

/// Go's `%#U` form of a rune: `U+0021 '!'`.
func goRune(_ scalar: Unicode.Scalar) -> String {
    let hex = String(scalar.value, radix: 16, uppercase: true)
    return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + " '\(Character(scalar))'"
}
