/// Go's `path` package: `Clean`, `Base`, `Dir` and `Match` (which confd's `gets` uses via
/// `filepath.Match`; on Linux the two agree).
enum GoPath {
    static func clean(_ path: String) -> String {
        if path.isEmpty { return "." }
        let rooted = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !rooted {
                    parts.append(part)
                }
            default: parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if rooted { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    static func base(_ path: String) -> String {
        if path.isEmpty { return "." }
        var p = Substring(path).utf8
        while let last = p.last, last == UInt8(ascii: "/") { p = p.dropLast() }
        if let slash = p.lastIndex(of: UInt8(ascii: "/")) { p = p[p.index(after: slash)...] }
        return p.isEmpty ? "/" : String(Substring(p))
    }

    static func dir(_ path: String) -> String {
        let utf8 = path.utf8
        let dir = utf8.lastIndex(of: UInt8(ascii: "/")).map { String(Substring(utf8[...$0])) } ?? ""
        return clean(dir)
    }

    /// Go's `ErrBadPattern`.
    struct BadPattern: Error {}

    /// The part of a pattern before its first meta character: every match starts with it.
    static func literalPrefix(_ pattern: String) -> String {
        let end = pattern.utf8.firstIndex {
            $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "\\")
        }
        return end.map { String(Substring(pattern.utf8[..<$0])) } ?? pattern
    }

    static func match(_ pattern: String, _ name: String) throws(BadPattern) -> Bool {
        var pattern = Array(pattern.unicodeScalars)[...]
        var name = Array(name.unicodeScalars)[...]
        patternLoop: while !pattern.isEmpty {
            let (star, chunk, rest) = scanChunk(pattern)
            pattern = rest
            if star && chunk.isEmpty { return !name.contains("/") }
            let (t, ok, error) = matchChunk(chunk, name)
            if ok && (t.isEmpty || !pattern.isEmpty) {
                name = t
                continue
            }
            if let error { throw error }
            if star {
                var i = name.startIndex
                while i < name.endIndex && name[i] != "/" {
                    let (t, ok, error) = matchChunk(chunk, name[(i + 1)...])
                    if ok {
                        if pattern.isEmpty && !t.isEmpty {
                            i += 1
                            continue
                        }
                        name = t
                        continue patternLoop
                    }
                    if let error { throw error }
                    i += 1
                }
            }
            while !pattern.isEmpty {
                let (_, chunk, rest) = scanChunk(pattern)
                pattern = rest
                if let error = matchChunk(chunk, [][...]).2 { throw error }
            }
            return false
        }
        return name.isEmpty
    }

    private typealias Scalars = ArraySlice<Unicode.Scalar>

    private static func scanChunk(_ pattern: Scalars) -> (Bool, Scalars, Scalars) {
        var p = pattern
        var star = false
        while p.first == "*" {
            p = p.dropFirst()
            star = true
        }
        var inRange = false
        var i = p.startIndex
        scan: while i < p.endIndex {
            switch p[i] {
            case "\\": if i + 1 < p.endIndex { i += 1 }
            case "[": inRange = true
            case "]": inRange = false
            case "*": if !inRange { break scan }
            default: break
            }
            i += 1
        }
        return (star, p[..<i], p[i...])
    }

    private static func matchChunk(_ chunk: Scalars, _ s: Scalars) -> (Scalars, Bool, BadPattern?) {
        var chunk = chunk
        var s = s
        var failed = false
        while let c = chunk.first {
            if !failed && s.isEmpty { failed = true }
            switch c {
            case "[":
                var r: Unicode.Scalar = "\0"
                if !failed {
                    r = s.first!
                    s = s.dropFirst()
                }
                chunk = chunk.dropFirst()
                var negated = false
                if chunk.first == "^" {
                    negated = true
                    chunk = chunk.dropFirst()
                }
                var matched = false
                var ranges = 0
                while true {
                    if chunk.first == "]" && ranges > 0 {
                        chunk = chunk.dropFirst()
                        break
                    }
                    guard let (lo, afterLo) = escaped(chunk) else { return ([][...], false, BadPattern()) }
                    chunk = afterLo
                    var hi = lo
                    if chunk.first == "-" {
                        guard let (h, afterHi) = escaped(chunk.dropFirst()) else {
                            return ([][...], false, BadPattern())
                        }
                        hi = h
                        chunk = afterHi
                    }
                    if lo <= r && r <= hi { matched = true }
                    ranges += 1
                }
                if matched == negated { failed = true }
            case "?":
                if !failed {
                    if s.first == "/" { failed = true }
                    s = s.dropFirst()
                }
                chunk = chunk.dropFirst()
            default:
                if c == "\\" {
                    chunk = chunk.dropFirst()
                    if chunk.isEmpty { return ([][...], false, BadPattern()) }
                }
                if !failed {
                    if chunk.first != s.first { failed = true }
                    s = s.dropFirst()
                }
                chunk = chunk.dropFirst()
            }
        }
        return failed ? ([][...], false, nil) : (s, true, nil)
    }

    /// Go's `getEsc`: one possibly escaped character of a class; nil for a bad pattern.
    private static func escaped(_ chunk: Scalars) -> (Unicode.Scalar, Scalars)? {
        var chunk = chunk
        guard let first = chunk.first, first != "-", first != "]" else { return nil }
        if first == "\\" {
            chunk = chunk.dropFirst()
            guard !chunk.isEmpty else { return nil }
        }
        let r = chunk.first!
        let rest = chunk.dropFirst()
        return rest.isEmpty ? nil : (r, rest)
    }
}
