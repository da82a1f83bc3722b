/// v2 key paths over the shared keyspace.
///
/// A v2 key `/a/b` is the v3 key `/a/b` (same bytes). A directory is implied by the keys under `dir/`; an
/// empty directory made with `mkdir` (or `dir=true`) is held by a marker key `dir/` (the path with a trailing
/// slash and an empty value), which v2 never names as a key itself since v2 paths are cleaned of trailing
/// slashes. v3 keys that do not start with `/` are not reachable through v2.
enum V2Path {
    /// etcd's `path.Clean("/" + key)`: one leading slash, no empty, `.` or `..` components, no trailing slash.
    static func clean(_ raw: String) -> String {
        var parts: [Substring] = []
        for part in raw.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The directories above `path`, outermost first, root excluded.
    static func ancestors(of path: String) -> [String] {
        var result: [String] = []
        var current = ""
        let parts = path.split(separator: "/")
        for part in parts.dropLast() {
            current += "/" + part
            result.append(current)
        }
        return result
    }

    /// The marker key that holds an explicit directory.
    static func marker(_ path: String) -> [UInt8] { Array(path.utf8) + [UInt8(ascii: "/")] }

    /// The prefix every key under `path` starts with (`/` for the root).
    static func childPrefix(_ path: String) -> [UInt8] { path == "/" ? [UInt8(ascii: "/")] : marker(path) }

    /// Whether a name is hidden from listings (etcd: a leading underscore).
    static func isHidden(_ name: Substring) -> Bool { name.first == "_" }

    /// Decodes `%XX` escapes (and `+` as a space when `form`); nil for a malformed escape.
    static func percentDecoded(_ text: Substring, form: Bool) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where form: bytes.append(UInt8(ascii: " "))
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The fields of a v2 request: the query string, then an `application/x-www-form-urlencoded` body over it
/// (Go's `FormValue` prefers the body).
struct V2Form {
    private var values: [String: String] = [:]

    /// - Throws: `V2Error` 210 (Invalid POST form) for a malformed escape.
    init(query: String?, body: [UInt8], index: Revision) throws {
        try add(query ?? "", index: index)
        try add(String(decoding: body, as: UTF8.self), index: index)
    }

    private mutating func add(_ text: String, index: Revision) throws {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = V2Path.percentDecoded(parts[0], form: true),
                let value = V2Path.percentDecoded(parts.count > 1 ? parts[1] : "", form: true)
            else {
                throw V2Error(210, cause: "invalid escape in form", index: index)
            }
            values[name] = value
        }
    }

    subscript(_ name: String) -> String? { values[name] }

    func flag(_ name: String) -> Bool { values[name] == "true" }

    /// An optional integer field.
    /// - Throws: `V2Error` with `code` when present but not a number.
    func integer(_ name: String, code: Int, index: Revision) throws -> Int64? {
        guard let text = values[name], !text.isEmpty else { return nil }
        guard let number = Int64(text) else {
            throw V2Error(code, cause: "invalid value for \(name): \(text)", index: index)
        }
        return number
    }
}
