import Foundation

/// A systemd unit file read the way systemd reads one: sections, `Key=Value` lines, `#`/`;` comments,
/// a trailing backslash continuing a line. Only what the unit-file tests need.
struct UnitFile {
    struct Entry: Equatable {
        var section: String
        var key: String
        var value: String
        var line: Int
    }

    let name: String
    let entries: [Entry]

    /// Every `*.service` in the repository's units/ folder, sorted by name.
    static func shipped() throws -> [UnitFile] {
        let folder = repositoryRoot + "/units"
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".service") }.sorted()
            .map { try UnitFile(name: $0, text: String(contentsOfFile: folder + "/" + $0, encoding: .utf8)) }
    }

    /// The checkout this test file lives in.
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    init(name: String, text: String) throws {
        self.name = name
        var entries: [Entry] = []
        var section: String?
        var pending: (text: String, line: Int)?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if var continued = pending {
                if line.hasPrefix("#") || line.hasPrefix(";") { continue }  // comments inside continuations
                continued.text += " " + line
                pending = continued
            } else {
                if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
                if line.hasPrefix("[") {
                    guard line.hasSuffix("]") else { throw UnitFileError("\(name):\(index + 1): malformed section") }
                    section = String(line.dropFirst().dropLast())
                    continue
                }
                pending = (line, index + 1)
            }
            guard let current = pending else { continue }
            if current.text.hasSuffix("\\") {
                pending = (String(current.text.dropLast()).trimmingCharacters(in: .whitespaces), current.line)
                continue
            }
            pending = nil
            guard let section else { throw UnitFileError("\(name):\(current.line): entry outside any section") }
            guard let equals = current.text.firstIndex(of: "=") else {
                throw UnitFileError("\(name):\(current.line): not Key=Value")
            }
            entries.append(
                Entry(
                    section: section, key: current.text[..<equals].trimmingCharacters(in: .whitespaces),
                    value: current.text[current.text.index(after: equals)...].trimmingCharacters(in: .whitespaces),
                    line: current.line))
        }
        if pending != nil { throw UnitFileError("\(name): file ends inside a continued line") }
        self.entries = entries
    }

    /// Values of `key` in `section`, in file order.
    func values(_ section: String, _ key: String) -> [String] {
        entries.filter { $0.section == section && $0.key == key }.map(\.value)
    }

    /// Section names in file order, each once.
    var sections: [String] {
        entries.reduce(into: [String]()) { if !$0.contains($1.section) { $0.append($1.section) } }
    }

    /// `ExecStart` as the words systemd would pass, with specifiers and `${VAR}` replaced.
    /// Handles what our units use: single/double quotes and `${NAME}` from `environment`.
    func execStart(instance: String, environment: [String: String]) throws -> [String] {
        guard let line = values("Service", "ExecStart").last else { throw UnitFileError("\(name): no ExecStart") }
        var text = line.replacingOccurrences(of: "%i", with: instance).replacingOccurrences(of: "%H", with: "node1")
        for (key, value) in environment { text = text.replacingOccurrences(of: "${\(key)}", with: value) }
        if text.contains("${") || text.contains("%") {
            throw UnitFileError("\(name): unresolved variable or specifier in: \(text)")
        }
        var words: [String] = []
        var word = ""
        var quote: Character?
        var inWord = false
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { word.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character == " " || character == "\t" {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else {
                word.append(character)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        if let first = words.first, first.hasPrefix("-") || first.hasPrefix("@") {
            words[0] = String(first.drop { $0 == "-" || $0 == "@" || $0 == "+" || $0 == "!" })
        }
        return words
    }
}

struct UnitFileError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
