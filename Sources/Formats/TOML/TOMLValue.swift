/// A value read from a TOML document: what confd's resource files and `confd.toml` hold.
package enum TOMLValue: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    /// Dates and times are kept as written; confd's files never use them, but a file holding one still reads.
    case dateTime(String)
    case array([TOMLValue])
    case table(TOMLTable)

    /// The string inside, or nil.
    package var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The table inside, or nil.
    package var table: TOMLTable? {
        if case .table(let t) = self { return t }
        return nil
    }

    /// TOML's name for the value's type, for error messages ("expected a string, got an integer").
    package var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .bool: "a boolean"
        case .dateTime: "a date-time"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// A TOML table: keys in the order they were written, each with the line that set it, so a
/// reader of the document can point at the line of a wrong value.
package struct TOMLTable: Sendable, Hashable {
    /// One key of the table.
    package struct Entry: Sendable, Hashable {
        package var key: String
        package var value: TOMLValue
        /// The 1-based line where the key was defined.
        package var line: Int
    }

    package private(set) var entries: [Entry] = []
    /// Tables defined by a `[header]` (as opposed to implicitly by a dotted key or a deeper header).
    var explicitlyDefined = false

    package init() {}

    /// The value at `key`, or nil.
    package subscript(_ key: String) -> TOMLValue? {
        entries.first { $0.key == key }?.value
    }

    /// The line that defined `key`, or nil.
    package func line(of key: String) -> Int? {
        entries.first { $0.key == key }?.line
    }

    /// The keys in the order they were written.
    package var keys: [String] { entries.map(\.key) }

    func index(of key: String) -> Int? { entries.firstIndex { $0.key == key } }

    mutating func append(_ key: String, _ value: TOMLValue, line: Int) {
        entries.append(Entry(key: key, value: value, line: line))
    }

    mutating func replace(at index: Int, with value: TOMLValue) {
        entries[index].value = value
    }
}

/// Why a TOML document could not be read; the description is `file:line: reason`.
package struct TOMLError: Error, Sendable, Hashable, CustomStringConvertible {
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
