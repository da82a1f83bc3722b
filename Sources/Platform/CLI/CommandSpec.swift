/// One command of either executable: its name, synopsis, flags and help. Every command parses its
/// arguments, prints its own `--help` and reports usage errors through this, so they all look alike:
/// help on standard output with status 0; `NAME: reason` on one line of standard error with status 2 for a
/// usage error; `NAME: reason` with status 1 for a runtime failure.
package struct CommandSpec: Sendable {
    /// `router store`, `announcer`: the prefix of every error line.
    package var name: String
    /// The usage line(s) after `usage: `.
    package var synopsis: String
    /// What the command does, one short paragraph.
    package var summary: String
    /// Its flags; `--help` (alias `-h`) is added.
    package var flags: [FlagSpec]
    /// How many plain arguments it takes, and what they are called in errors.
    package var positionals: [String]

    package init(name: String, synopsis: String, summary: String, flags: [FlagSpec], positionals: [String] = []) {
        self.name = name
        self.synopsis = synopsis
        self.summary = summary
        self.flags = flags + [FlagSpec("help", aliases: ["h"], help: "show this help")]
        self.positionals = positionals
    }

    /// The text `--help` prints.
    package var help: String {
        "usage: \(synopsis)\n\n\(summary)\n\nflags:\n" + flags.map(\.helpLine).joined(separator: "\n")
    }

    /// Parses `arguments`; `nil` when `--help` was given.
    /// - Throws: `UsageError` for an unknown or malformed flag, or a missing or extra plain argument.
    package func parse(_ arguments: [String]) throws -> ParsedFlags? {
        let parsed = try ParsedFlags.parse(arguments, specs: flags)
        if parsed.isSet("help") { return nil }
        if parsed.positionals.count > positionals.count {
            throw UsageError("unexpected argument '\(parsed.positionals[positionals.count])'")
        }
        if parsed.positionals.count < positionals.count {
            throw UsageError("missing \(positionals[parsed.positionals.count])")
        }
        return parsed
    }

    /// Parses `arguments` and runs `body` with the flags, printing help and errors the one way.
    /// A `UsageError` thrown by `body` (a flag value it rejects) is a usage error too; any other error
    /// is a runtime failure. Returns the exit status.
    package func run(_ arguments: [String], _ body: (ParsedFlags) async throws -> Int32) async -> Int32 {
        let flags: ParsedFlags
        do {
            guard let parsed = try parse(arguments) else {
                printOut(help)
                return 0
            }
            flags = parsed
        } catch {
            printError("\(name): \(error)")
            return 2
        }
        do {
            return try await body(flags)
        } catch let error as UsageError {
            printError("\(name): \(error)")
            return 2
        } catch {
            printError("\(name): \(error)")
            return 1
        }
    }
}
