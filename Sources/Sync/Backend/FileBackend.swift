import Formats
import Foundation
import KV

/// Keys from YAML or JSON files, as confd's file backend reads them: each `--file` (a file, or a
/// directory walked for names matching `filter`) is flattened, maps by key and lists by index
/// (`/a/b/0`), scalars written as Go writes them; a read keeps the keys starting with a requested key.
package struct FileBackend: SyncBackend {
    let paths: [String]
    let filter: String
    /// How often a watch looks for edited files.
    let pollInterval: Duration

    package init(paths: [String], filter: String = "*", pollInterval: Duration = .milliseconds(500)) {
        self.paths = paths
        self.filter = filter
        self.pollInterval = pollInterval
    }

    package func read(_ keys: [String]) async throws -> KeyRead {
        var all: [String: String] = [:]
        for file in try files() {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw SyncError.read("cannot read \(file)")
            }
            let text = String(decoding: data, as: UTF8.self)
            try Self.flatten(Self.parse(text, file: file), key: "/", into: &all)
        }
        let pairs = all.filter { entry in keys.contains { entry.key.hasPrefix($0) } }
        return KeyRead(pairs: pairs, revision: 0)
    }

    /// Parses a file: JSON when it starts with `{` or `[` (as yaml.v2 reads JSON), else YAML.
    /// - Throws: `SyncError.read` with `file:line` (YAML) or the byte offset (JSON).
    static func parse(_ text: String, file: String) throws -> YAMLValue {
        let start = text.first { !$0.isWhitespace }
        if start == "{" || start == "[" {
            do {
                return YAMLValue(json: try JSONParser.parse(Array(text.utf8)))
            } catch let error as JSONParseError {
                throw SyncError.read("\(file): invalid JSON at byte \(error.offset): \(error)")
            }
        }
        do {
            return try YAMLReader.parse(text, file: file)
        } catch {
            throw SyncError.read(error.description)
        }
    }

    /// confd's `nodeWalk`: nulls are skipped, integers and floats written as Go's strconv writes them.
    static func flatten(_ node: YAMLValue, key: String, into vars: inout [String: String]) {
        switch node {
        case .list(let items):
            for (index, item) in items.enumerated() {
                flatten(item, key: GoPathJoin.join(key, String(index)), into: &vars)
            }
        case .map(let entries):
            for (name, value) in entries { flatten(value, key: GoPathJoin.join(key, name), into: &vars) }
        case .string(let s): vars[key] = s
        case .int(let i): vars[key] = String(i)
        case .bool(let b): vars[key] = b ? "true" : "false"
        case .float(let f): vars[key] = GoFloatText.plain(f)
        case .null: break
        }
    }

    /// The files to read, in confd's order.
    func files() throws -> [String] {
        var found: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw SyncError.read("stat \(path): no such file or directory")
            }
            if !isDirectory.boolValue {
                found.append(path)
                continue
            }
            guard let enumerator = FileManager.default.enumerator(atPath: path) else { continue }
            var inside: [String] = []
            while let relative = enumerator.nextObject() as? String {
                let full = path + "/" + relative
                var dir: ObjCBool = false
                let name = (relative as NSString).lastPathComponent
                if FileManager.default.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue,
                    Glob.matches(filter, name)
                {
                    inside.append(full)
                }
            }
            found += inside.sorted()
        }
        return found
    }

    /// Polls the files' sizes and modification times; any change asks for a full read.
    package func watch(_ keys: [String], after revision: Revision) -> AsyncThrowingStream<BackendChange, any Error> {
        let (stream, continuation) = AsyncThrowingStream<BackendChange, any Error>.makeStream()
        let backend = self
        let task = Task {
            var last = backend.signature()
            while !Task.isCancelled {
                try? await Task.sleep(for: backend.pollInterval)
                let now = backend.signature()
                if now != last {
                    last = now
                    continuation.yield(.resync)
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    func signature() -> [String] {
        ((try? files()) ?? []).map { file in
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(file)\u{0}\(size)\u{0}\(modified)"
        }
    }

    package func probe() async -> Bool { (try? files()) != nil }
}

extension YAMLValue {
    /// A JSON document as yaml.v2 would read it: whole numbers as integers, others as floats.
    init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let text):
            if let i = Int64(text) {
                self = .int(i)
            } else {
                self = .float(Double(text) ?? 0)
            }
        case .string(let s): self = .string(s)
        case .array(let items): self = .list(items.map(YAMLValue.init(json:)))
        case .object(let members):
            var entries: [(String, YAMLValue)] = []
            for (name, value) in members {
                if let i = entries.firstIndex(where: { $0.0 == name }) {
                    entries[i].1 = YAMLValue(json: value)
                } else {
                    entries.append((name, YAMLValue(json: value)))
                }
            }
            self = .map(entries)
        }
    }
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)`: the shortest digits that read back, never an exponent.
enum GoFloatText {
    static func plain(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        let text = "\(value)"
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
            return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
        }
        let exponent = Int(text[text.index(after: e)...]) ?? 0
        var mantissa = String(text[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        var digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
        var point = parts[0].count + exponent
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        var out: String
        if point <= 0 {
            out = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            out = digits + String(repeating: "0", count: point - digits.count)
        } else {
            let index = digits.index(digits.startIndex, offsetBy: point)
            out = String(digits[..<index]) + "." + String(digits[index...])
        }
        point = 0
        return (negative ? "-" : "") + out
    }
}

/// Go's `filepath.Match` for a file name: `*`, `?`, `[...]` classes and `\` escapes.
enum Glob {
    static func matches(_ pattern: String, _ name: String) -> Bool {
        match(Array(pattern.unicodeScalars)[...], Array(name.unicodeScalars)[...])
    }

    private static func match(_ p: ArraySlice<Unicode.Scalar>, _ n: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = p.first else { return n.isEmpty }
        switch first {
        case "*":
            let rest = p.dropFirst()
            var tail = n
            while true {
                if match(rest, tail) { return true }
                guard let c = tail.first, c != "/" else { return false }
                tail = tail.dropFirst()
            }
        case "?":
            guard let c = n.first, c != "/" else { return false }
            return match(p.dropFirst(), n.dropFirst())
        case "[":
            guard let c = n.first, let close = p.dropFirst().firstIndex(of: "]") else { return false }
            var set = p[(p.startIndex + 1)..<close]
            let negate = set.first == "^"
            if negate { set = set.dropFirst() }
            var found = false
            var i = set.startIndex
            while i < set.endIndex {
                if i + 2 < set.endIndex, set[i + 1] == "-" {
                    if set[i].value <= c.value && c.value <= set[i + 2].value { found = true }
                    i += 3
                } else {
                    if set[i] == c { found = true }
                    i += 1
                }
            }
            return found != negate && match(p[(close + 1)...], n.dropFirst())
        case "\\":
            guard p.count > 1, let c = n.first, c == p[p.startIndex + 1] else { return false }
            return match(p.dropFirst(2), n.dropFirst())
        default:
            guard let c = n.first, c == first else { return false }
            return match(p.dropFirst(), n.dropFirst())
        }
    }
}
