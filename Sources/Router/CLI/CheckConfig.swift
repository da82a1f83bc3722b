import Platform

/// `--check-config`, which every subcommand accepts (DESIGN's command line): validate the flags and the files
/// they name, say so in one line, and exit without starting anything. Units and scripts run their command
/// lines through it, so none can name a flag that does not exist.
enum CheckConfig {
    /// The flag, for a subcommand's specs.
    static let spec = FlagSpec("check-config", help: "validate flags and files, then exit (0 valid, 2 not)")

    /// Whether `--check-config` was given.
    static func isRequested(_ flags: ParsedFlags) -> Bool { flags.isSet("check-config") }

    /// Prints `router <command>: configuration ok` and returns exit status 0.
    static func passed(_ command: String) -> Int32 {
        printOut("router \(command): configuration ok")
        return 0
    }
}
