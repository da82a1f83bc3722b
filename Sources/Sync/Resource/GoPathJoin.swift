/// Go's `path.Clean` and `path.Join`, which confd uses to build and strip keys.
enum GoPathJoin {
    /// `path.Join(parts...)`: joined with "/", empty parts ignored, then cleaned; "" when all are empty.
    static func join(_ parts: String...) -> String { join(parts) }

    static func join(_ parts: [String]) -> String {
        let nonEmpty = parts.filter { !$0.isEmpty }
        guard !nonEmpty.isEmpty else { return "" }
        return clean(nonEmpty.joined(separator: "/"))
    }

    /// Whether `path.Clean` would return an absolute `path` unchanged: no empty, "." or ".." element, no
    /// trailing slash.
    static func isClean(_ path: String) -> Bool {
        var utf8 = path.utf8.makeIterator()
        guard utf8.next() == UInt8(ascii: "/") else { return false }
        var length = 0
        var dots = 0
        var sawAny = false
        while let byte = utf8.next() {
            sawAny = true
            if byte == UInt8(ascii: "/") {
                if length == 0 || (dots == length && dots <= 2) { return false }
                length = 0
                dots = 0
            } else {
                length += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        return !sawAny || !(length == 0 || (dots == length && dots <= 2))
    }

    /// `path.Clean`: no repeated slashes, no "." elements, ".." resolved, no trailing slash.
    static func clean(_ path: String) -> String {
        if path.isEmpty { return "." }
        let rooted = path.hasPrefix("/")
        var out: [Substring] = []
        for element in path.split(separator: "/", omittingEmptySubsequences: true) {
            if element == "." { continue }
            if element == ".." {
                if let last = out.last, last != ".." {
                    out.removeLast()
                } else if !rooted {
                    out.append(element)
                }
                continue
            }
            out.append(element)
        }
        let joined = out.joined(separator: "/")
        if rooted { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
