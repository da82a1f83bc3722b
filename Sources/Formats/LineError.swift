/// Why a line-oriented document (TOML, YAML) could not be read; the description is `file:line: reason`.
package struct LineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file name given to the reader (empty when reading text with no name).
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
