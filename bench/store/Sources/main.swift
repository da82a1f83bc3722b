import Foundation

// One call, as in the executables (FIELD-NOTES: no closures in top-level code).
exit(await StoreBench.main(Array(CommandLine.arguments.dropFirst())))
