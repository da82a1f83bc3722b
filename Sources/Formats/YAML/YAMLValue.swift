/// A node read from a YAML document, typed the way Go's yaml.v2 types plain scalars (so confd's file
/// backend sees the same values): `yes`/`on`/`true` are booleans, `0x1f` and `017` integers.
package enum YAMLValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case list([YAMLValue])
    /// Keys in document order; a repeated key keeps its last value, as yaml.v2 does for maps.
    case map([(String, YAMLValue)])

    package static func == (a: YAMLValue, b: YAMLValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.int(x), .int(y)): x == y
        case let (.float(x), .float(y)): x == y || (x.isNaN && y.isNaN)
        case let (.string(x), .string(y)): x == y
        case let (.list(x), .list(y)): x == y
        case let (.map(x), .map(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    package func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .int(let i): hasher.combine(i)
        case .float(let f): hasher.combine(f)
        case .string(let s): hasher.combine(s)
        case .list(let l): hasher.combine(l)
        case .map(let m):
            for (key, value) in m {
                hasher.combine(key)
                hasher.combine(value)
            }
        }
    }
}

/// Why a YAML document could not be read; the description is `file:line: reason`.
package struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    package var file: String
    /// The 1-based line of the problem.
    package var line: Int
    package var reason: String

    package init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    package var description: String { "\(file.isEmpty ? "<input>" : file):\(line): \(reason)" }
}

/// Go's `strconv.ParseInt(text, 0, 64)`: a sign, then decimal, `0x` hex, `0o` or leading-`0` octal,
/// or `0b` binary, underscores allowed only after a base prefix or between digits.
package enum GoInteger {
    /// The value, or nil when Go would refuse the text (including overflow).
    package static func parse(_ text: Substring) -> Int64? {
        var body = text
        var negative = false
        if body.first == "+" || body.first == "-" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        guard let magnitude = parseUnsigned(body) else { return nil }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// Go's `strconv.ParseUint(text, 0, 64)`.
    package static func parseUnsigned(_ text: Substring) -> UInt64? {
        var digits = text
        var radix = 10
        let lower = text.lowercased()
        if lower.hasPrefix("0x") {
            radix = 16
            digits = digits.dropFirst(2)
        } else if lower.hasPrefix("0o") {
            radix = 8
            digits = digits.dropFirst(2)
        } else if lower.hasPrefix("0b") {
            radix = 2
            digits = digits.dropFirst(2)
        } else if text.count > 1 && text.hasPrefix("0") {
            radix = 8
            digits = digits.dropFirst(1)
        }
        // Go allows underscores only with a base prefix (base 0), each between digits or after the prefix.
        if digits.contains("_") {
            guard radix != 10, digits.last != "_", !digits.contains("__") else { return nil }
        }
        let clean = digits.filter { $0 != "_" }
        guard !clean.isEmpty else { return nil }
        return UInt64(clean, radix: radix)
    }
}
