/// Writes text to standard output (command results, help), ending it with a newline if it has none.
package func printOut(_ text: String) {
    Posix.writeStandardOutput(text)
}

/// Writes one line to standard error (a usage error or a runtime failure), ending it with a newline.
package func printError(_ text: String) {
    Posix.writeStandardError(text)
}
