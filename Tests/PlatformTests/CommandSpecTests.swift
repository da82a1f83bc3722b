import Platform
import Testing

/// Every command of both executables parses, helps and reports usage errors through `CommandSpec`.
struct CommandSpecTests {
    private let spec = CommandSpec(
        name: "router demo", synopsis: "router demo FILE [--count N]", summary: "Demonstrates.",
        flags: [FlagSpec("count", value: "N", help: "how many")], positionals: ["FILE"])

    @Test func helpListsTheSynopsisAndEveryFlag() throws {
        #expect(try spec.parse(["--help"]) == nil)
        #expect(try spec.parse(["-h"]) == nil)
        #expect(spec.help.hasPrefix("usage: router demo FILE [--count N]\n\nDemonstrates.\n\nflags:\n"))
        #expect(spec.help.contains("--count N"))
        #expect(spec.help.contains("--help"))
    }

    @Test func plainArgumentsAreCountedExactly() throws {
        #expect(throws: UsageError("missing FILE")) { try spec.parse([]) }
        #expect(throws: UsageError("unexpected argument 'b'")) { try spec.parse(["a", "b"]) }
        #expect(try spec.parse(["a", "--count", "3"])?.string("count") == "3")
    }

    @Test func usageErrorsExitTwoAndRuntimeFailuresExitOne() async {
        struct Broken: Error {}
        #expect(await spec.run(["--bogus"]) { _ in 0 } == 2)
        #expect(await spec.run(["a"]) { _ in throw UsageError("flag --count: 'x' is not a number") } == 2)
        #expect(await spec.run(["a"]) { _ in throw Broken() } == 1)
        #expect(await spec.run(["a"]) { flags in flags.positionals == ["a"] ? 0 : 9 } == 0)
        #expect(await spec.run(["--help"]) { _ in 9 } == 0)
    }
}
