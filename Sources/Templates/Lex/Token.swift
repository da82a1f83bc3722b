/// One lexical item of Go's template language; `offset` is the byte offset in the source.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case text, leftDelim, rightDelim, space, eof
        case bool, charConstant, number, string, rawString
        case identifier, field, variable, dot, `nil`
        case declare, assign, pipe, leftParen, rightParen, comma, char
        case keyword(Keyword)
    }

    /// Words with a meaning of their own inside an action.
    enum Keyword: String, Sendable {
        case block, `break`, `continue`, define, `else`, end, `if`, range, template, with
    }

    var kind: Kind
    /// The token's text (for text tokens, after trim markers were applied).
    var text: Substring
    var offset: Int

    /// How Go's parser quotes a token in "unexpected ..." messages.
    var quoted: String {
        switch kind {
        case .eof: "EOF"
        case .keyword: "<\(text)>"
        case .space: "space"
        case .rightDelim, .leftDelim: "\"\(text.trimmingCharacters(in: " -"))\""
        default: "\"\(text)\""
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(self.filter { !set.contains($0) })
    }
}
