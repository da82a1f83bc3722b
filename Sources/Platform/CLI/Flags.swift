/// A command-line mistake: printed as one line, exit status 2.
package struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

/// One flag a command accepts.
package struct FlagSpec: Sendable {
    package var name: String
    /// Other spellings (confd's `-onetime`, `-node` …); matched with one or two dashes like `name`.
    package var aliases: [String]
    /// Placeholder shown in help; nil for a switch that takes no value.
    package var valueName: String?
    package var repeatable: Bool
    package var help: String

    package init(_ name: String, value: String? = nil, aliases: [String] = [], repeatable: Bool = false, help: String) {
        self.name = name
        self.aliases = aliases
        self.valueName = value
        self.repeatable = repeatable
        self.help = help
    }

    /// `  --name VALUE   help` for usage text.
    package var helpLine: String {
        var left = "--\(name)" + (valueName.map { " \($0)" } ?? "")
        if repeatable { left += " ..." }
        let padded = left.count < 30 ? left + String(repeating: " ", count: 30 - left.count) : left + "  "
        return "  " + padded + help
    }
}

/// Flags parsed against specs: `--name value`, `--name=value`, `-name value`; `--` ends flags.
package struct ParsedFlags: Sendable {
    private var values: [String: [String]] = [:]
    private var switches: Set<String> = []
    /// Arguments that are not flags, in order.
    package private(set) var positionals: [String] = []

    /// - Throws: `UsageError` for an unknown flag (with a suggestion), a missing value or a repeated flag.
    package static func parse(_ arguments: [String], specs: [FlagSpec]) throws -> ParsedFlags {
        var parsed = ParsedFlags()
        var byName: [String: FlagSpec] = [:]
        for spec in specs {
            byName[spec.name] = spec
            for alias in spec.aliases { byName[alias] = spec }
        }
        var i = 0
        var flagsEnded = false
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            if flagsEnded || !argument.hasPrefix("-") || argument == "-" {
                parsed.positionals.append(argument)
                continue
            }
            if argument == "--" {
                flagsEnded = true
                continue
            }
            let body = argument.hasPrefix("--") ? argument.dropFirst(2) : argument.dropFirst()
            let name: String
            var inlineValue: String? = nil
            if let eq = body.firstIndex(of: "=") {
                name = String(body[..<eq])
                inlineValue = String(body[body.index(after: eq)...])
            } else {
                name = String(body)
            }
            guard let spec = byName[name] else {
                let suggestion = closest(to: name, in: specs.flatMap { [$0.name] + $0.aliases })
                throw UsageError(
                    "unknown flag '\(argument)'" + (suggestion.map { " (did you mean '--\($0)'?)" } ?? ""))
            }
            if spec.valueName == nil {
                if let inlineValue {
                    guard let on = Bool(inlineValue) else {
                        throw UsageError("flag --\(spec.name) is a switch; '\(inlineValue)' is not true or false")
                    }
                    if on { parsed.switches.insert(spec.name) } else { parsed.switches.remove(spec.name) }
                } else {
                    parsed.switches.insert(spec.name)
                }
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard i < arguments.count else { throw UsageError("flag --\(spec.name) needs a value") }
                value = arguments[i]
                i += 1
            }
            if !spec.repeatable && parsed.values[spec.name] != nil {
                throw UsageError("flag --\(spec.name) given more than once")
            }
            parsed.values[spec.name, default: []].append(value)
        }
        return parsed
    }

    /// The value of a single-valued flag.
    package func string(_ name: String) -> String? { values[name]?.last }
    /// Every value of a repeatable flag, in order.
    package func strings(_ name: String) -> [String] { values[name] ?? [] }
    /// Whether a switch was given.
    package func isSet(_ name: String) -> Bool { switches.contains(name) || values[name] != nil }

    /// An integer flag within `range`.
    /// - Throws: `UsageError` naming the flag and the accepted range.
    package func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = string(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError(
                "flag --\(name): '\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A duration flag in seconds (fractions allowed) within `range`.
    package func seconds(_ name: String, default defaultValue: Duration, in range: ClosedRange<Double>) throws
        -> Duration
    {
        guard let text = string(name) else { return defaultValue }
        let trimmed = text.hasSuffix("s") ? String(text.dropLast()) : text
        guard let value = Double(trimmed), value.isFinite, range.contains(value) else {
            throw UsageError(
                "flag --\(name): '\(text)' is not a number of seconds from \(range.lowerBound) to \(range.upperBound)")
        }
        return .nanoseconds(Int64(value * 1e9))
    }

    private static func closest(to name: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(name, $0)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, name.count / 3) else { return nil }
        return best
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}
