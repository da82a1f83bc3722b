/// Reads the YAML that confd's file backend is fed: block mappings and sequences nested by indentation,
/// `- key: value` items, plain, single- and double-quoted scalars, `|` and `>` block scalars, one-line
/// flow collections (`[a, b]`, `{a: 1}`), comments and a leading `---`. Anchors, aliases, tags and
/// several documents are refused with a clear line-numbered error rather than misread.
///
/// Every failure is a `YAMLError` naming the line; no input crashes it (Tests/FormatsTests/YAMLFuzzTests).
package enum YAMLReader {
    /// Nesting deeper than this is refused, never a stack overflow.
    package static let maximumDepth = 64

    /// Parses `text`; `file` only names the source in errors. An empty document is `.null`.
    /// - Throws: `YAMLError` with the line and reason.
    package static func parse(_ text: String, file: String = "") throws(YAMLError) -> YAMLValue {
        var parser = try YAMLParser(text: text, file: file)
        return try parser.parseDocument()
    }
}

/// One non-blank, comment-free line with its indentation.
struct YAMLLine {
    var indent: Int
    var text: Substring
    var number: Int
}

struct YAMLParser {
    let file: String
    var lines: [YAMLLine] = []
    /// Every line as written (block scalars keep blank lines and `#`).
    let raw: [Substring]
    var index = 0

    init(text: String, file: String) throws(YAMLError) {
        self.file = file
        var rawLines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for i in rawLines.indices where rawLines[i].hasSuffix("\r") { rawLines[i] = rawLines[i].dropLast() }
        raw = rawLines
        for (offset, line) in rawLines.enumerated() {
            let number = offset + 1
            let indent = line.prefix { $0 == " " }.count
            let body = line.dropFirst(indent)
            if body.first == "\t" { throw YAMLError(file: file, line: number, reason: "tabs cannot indent YAML") }
            let text = Self.stripComment(body)
            if text.isEmpty { continue }
            if indent == 0 && (text == "---" || text.hasPrefix("--- ")) {
                guard lines.isEmpty else {
                    throw YAMLError(file: file, line: number, reason: "several documents in one file are not supported")
                }
                let rest = text.dropFirst(3).drop { $0 == " " }
                if !rest.isEmpty { lines.append(YAMLLine(indent: 4, text: rest, number: number)) }
                continue
            }
            if indent == 0 && text == "..." { break }
            if text.hasPrefix("%") && indent == 0 {
                throw YAMLError(file: file, line: number, reason: "YAML directives are not supported")
            }
            lines.append(YAMLLine(indent: indent, text: text, number: number))
        }
    }

    /// Drops a `#` comment (at the start or after a blank, outside quotes) and trailing blanks.
    static func stripComment(_ text: Substring) -> Substring {
        var quote: Character? = nil
        var previous: Character = " "
        var end = text.endIndex
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if let q = quote {
                if c == "\\" && q == "\"" {
                    i = text.index(after: i)
                    if i < text.endIndex { i = text.index(after: i) }
                    previous = "x"
                    continue
                }
                if c == q { quote = nil }
            } else if c == "#" && (previous == " " || previous == "\t") {
                end = i
                break
            } else if (c == "\"" || c == "'")
                && (previous == " " || previous == "[" || previous == "{" || previous == ","
                    || previous == ":" || i == text.startIndex)
            {
                quote = c
            }
            previous = c
            i = text.index(after: i)
        }
        var result = text[..<end]
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }

    func fail(_ line: Int, _ reason: String) -> YAMLError {
        YAMLError(file: file, line: line, reason: reason)
    }

    mutating func parseDocument() throws(YAMLError) -> YAMLValue {
        guard let first = lines.first else { return .null }
        let value = try parseNode(indent: first.indent, depth: 0)
        if index < lines.count {
            throw fail(
                lines[index].number, "unexpected text at indentation \(lines[index].indent): '\(lines[index].text)'")
        }
        return value
    }

    /// The node whose first line is `lines[index]`, at exactly `indent`.
    mutating func parseNode(indent: Int, depth: Int) throws(YAMLError) -> YAMLValue {
        guard depth < YAMLReader.maximumDepth else {
            throw fail(lines[index].number, "nesting deeper than \(YAMLReader.maximumDepth) levels")
        }
        let line = lines[index]
        if isSequenceItem(line.text) { return try parseSequence(indent: indent, depth: depth) }
        if mappingKey(line.text) != nil { return try parseMapping(indent: indent, depth: depth) }
        index += 1
        let value = try scalarOrFlow(line.text, line: line.number, depth: depth)
        if index < lines.count && lines[index].indent > indent {
            throw fail(
                lines[index].number,
                "unexpected indented text after a value (multi-line plain scalars are not supported)")
        }
        return value
    }

    func isSequenceItem(_ text: Substring) -> Bool {
        text == "-" || text.hasPrefix("- ")
    }

    mutating func parseSequence(indent: Int, depth: Int) throws(YAMLError) -> YAMLValue {
        var items: [YAMLValue] = []
        while index < lines.count, lines[index].indent == indent, isSequenceItem(lines[index].text) {
            let line = lines[index]
            let rest = line.text.dropFirst().drop { $0 == " " }
            if rest.isEmpty {
                index += 1
                items.append(try nestedOrNull(parentIndent: indent, depth: depth))
            } else {
                // "- key: value" opens a node at the column of its text: rewrite the line so it starts there.
                let column = indent + (line.text.count - rest.count)
                lines[index] = YAMLLine(indent: column, text: rest, number: line.number)
                items.append(try parseNode(indent: column, depth: depth + 1))
            }
        }
        if index < lines.count && lines[index].indent > indent {
            throw fail(lines[index].number, "bad indentation in a sequence")
        }
        return .list(items)
    }

    /// The value of a key or item with nothing after it: a deeper node, or null.
    mutating func nestedOrNull(parentIndent: Int, depth: Int, allowSequenceAtSameIndent: Bool = false)
        throws(YAMLError) -> YAMLValue
    {
        guard index < lines.count else { return .null }
        let next = lines[index]
        if next.indent > parentIndent { return try parseNode(indent: next.indent, depth: depth + 1) }
        if allowSequenceAtSameIndent && next.indent == parentIndent && isSequenceItem(next.text) {
            return try parseSequence(indent: parentIndent, depth: depth + 1)
        }
        return .null
    }

    mutating func parseMapping(indent: Int, depth: Int) throws(YAMLError) -> YAMLValue {
        var entries: [(String, YAMLValue)] = []
        while index < lines.count, lines[index].indent == indent {
            let line = lines[index]
            guard let (key, rest) = mappingKey(line.text) else {
                throw fail(line.number, "expected 'key: value' in a mapping, found '\(line.text)'")
            }
            let name = try keyText(key, line: line.number)
            index += 1
            let value: YAMLValue
            if rest.isEmpty {
                value = try nestedOrNull(parentIndent: indent, depth: depth, allowSequenceAtSameIndent: true)
            } else if rest.first == "|" || rest.first == ">" {
                value = .string(try blockScalar(header: rest, parentIndent: indent, line: line.number))
            } else {
                value = try scalarOrFlow(rest, line: line.number, depth: depth)
                if index < lines.count && lines[index].indent > indent {
                    throw fail(
                        lines[index].number,
                        "unexpected indented text after '\(name)' (multi-line plain scalars are not supported)")
                }
            }
            if let existing = entries.firstIndex(where: { $0.0 == name }) {
                entries[existing].1 = value
            } else {
                entries.append((name, value))
            }
        }
        if index < lines.count && lines[index].indent > indent {
            throw fail(lines[index].number, "bad indentation in a mapping")
        }
        return .map(entries)
    }

    /// Splits `key: rest` (the key plain or quoted); nil when the line is not a mapping entry.
    func mappingKey(_ text: Substring) -> (Substring, Substring)? {
        if text.first == "\"" || text.first == "'" {
            guard let close = closingQuote(text) else { return nil }
            let after = text[text.index(after: close)...]
            guard after.hasPrefix(":"), after.count == 1 || after.dropFirst().first == " " else { return nil }
            return (text[...close], after.dropFirst().drop { $0 == " " })
        }
        if text.first == "[" || text.first == "{" { return nil }
        if text.hasPrefix("? ") { return nil }
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == ":" {
                let next = text.index(after: i)
                if next == text.endIndex || text[next] == " " {
                    return (text[..<i], text[next...].drop { $0 == " " })
                }
            }
            i = text.index(after: i)
        }
        return nil
    }

    func closingQuote(_ text: Substring) -> Substring.Index? {
        guard let quote = text.first else { return nil }
        var i = text.index(after: text.startIndex)
        while i < text.endIndex {
            let c = text[i]
            if quote == "\"" && c == "\\" {
                i = text.index(after: i)
                if i < text.endIndex { i = text.index(after: i) }
                continue
            }
            if c == quote {
                let next = text.index(after: i)
                if quote == "'" && next < text.endIndex && text[next] == "'" {
                    i = text.index(after: next)
                    continue
                }
                return i
            }
            i = text.index(after: i)
        }
        return nil
    }

    func keyText(_ key: Substring, line: Int) throws(YAMLError) -> String {
        let trimmed = key.reversed().drop { $0 == " " }
        let clean = Substring(String(trimmed.reversed()))
        if clean.first == "\"" || clean.first == "'" { return try quoted(clean, line: line) }
        if clean.first == "&" || clean.first == "*" || clean.first == "!" {
            throw fail(line, "anchors, aliases and tags are not supported")
        }
        return String(clean)
    }

    /// `|` or `>` with optional chomping (`-`, `+`) and indentation digit: the following more-indented lines.
    mutating func blockScalar(header: Substring, parentIndent: Int, line: Int) throws(YAMLError) -> String {
        let folded = header.first == ">"
        var chomp: Character = " "
        var explicitIndent: Int? = nil
        for c in header.dropFirst() {
            if c == "-" || c == "+" {
                chomp = c
            } else if let digit = c.wholeNumberValue, digit > 0 {
                explicitIndent = parentIndent + digit
            } else {
                throw fail(line, "bad block scalar header '\(header)'")
            }
        }
        // The block is every raw line after `line` up to the next content line at or left of parentIndent.
        var body: [Substring] = []
        var rawIndex = line
        let stop = index < lines.count ? lines[index].number - 1 : raw.count
        var blockIndent = explicitIndent
        while rawIndex < raw.count {
            let text = raw[rawIndex]
            let indent = text.prefix { $0 == " " }.count
            let isBlank = text.allSatisfy { $0 == " " }
            if !isBlank {
                if indent <= parentIndent { break }
                if blockIndent == nil { blockIndent = indent }
                if let blockIndent, indent < blockIndent { break }
            }
            body.append(text)
            rawIndex += 1
        }
        _ = stop
        // Skip the parsed lines that belonged to the block.
        while index < lines.count && lines[index].number <= rawIndex { index += 1 }
        let cut = blockIndent ?? 0
        var contentLines = body.map { String($0.dropFirst(min(cut, $0.prefix { $0 == " " }.count))) }
        var trailing = 0
        while let last = contentLines.last, last.isEmpty {
            contentLines.removeLast()
            trailing += 1
        }
        var text: String
        if folded {
            text = ""
            for (i, piece) in contentLines.enumerated() {
                if i > 0 { text += (piece.isEmpty || contentLines[i - 1].isEmpty || piece.hasPrefix(" ")) ? "\n" : " " }
                text += piece
            }
        } else {
            text = contentLines.joined(separator: "\n")
        }
        switch chomp {
        case "-": return text
        case "+": return text + String(repeating: "\n", count: trailing + (contentLines.isEmpty ? 0 : 1))
        default: return contentLines.isEmpty ? "" : text + "\n"
        }
    }
}
