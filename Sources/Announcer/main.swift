import Platform

// Kept to one call: closures written in top-level code run on other threads crash in Swift 6 (FIELD-NOTES).
Posix.exit(await AnnouncerCommand.main(Array(CommandLine.arguments.dropFirst())))
