/// Header rules for intermediaries (RFC 9110 §7.6.1): which fields concern one connection only.
extension HTTPHeaders {
    /// Fields that describe one connection, never forwarded (plus any field `Connection` names).
    package static let hopByHop: [String] = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-authenticate", "proxy-authorization", "content-length",
    ]

    /// Appends `name: value\r\n` for every end-to-end field: hop-by-hop fields, the fields listed in
    /// `Connection`, `Content-Length` (the writer frames the body itself) and the lower-case names in
    /// `dropping` are left out.
    package func writeEndToEnd(into out: inout [UInt8], dropping: [StaticString] = []) {
        // Each token of Connection names a field the sender meant for this hop only; tokens that are
        // hop-by-hop anyway (`keep-alive`, `upgrade`) need no entry, so the usual head allocates none.
        var named: [Range<Int>] = []
        _ = containsListItem(in: "connection") { item in
            if !item.isEmpty && !isHopByHop(item) { named.append(item) }
            return false
        }
        for field in fields {
            let name = Int(field.nameStart)..<Int(field.nameEnd)
            if isHopByHop(name) || isListed(name, dropping) || isNamed(name, named) { continue }
            out.append(contentsOf: storage[name])
            out.append(0x3A)
            out.append(0x20)
            out.append(contentsOf: storage[Int(field.valueStart)..<Int(field.valueEnd)])
            out.append(0x0D)
            out.append(0x0A)
        }
    }

    /// Appends every value of `name`, joined by `, `, and returns how many there were.
    package func appendValues(of name: String, to out: inout [UInt8]) -> Int {
        var count = 0
        for index in fields.indices where matches(index, name) {
            if count > 0 {
                out.append(0x2C)
                out.append(0x20)
            }
            let field = fields[index]
            out.append(contentsOf: storage[Int(field.valueStart)..<Int(field.valueEnd)])
            count += 1
        }
        return count
    }

    /// Whether `storage[range]` names one of `hopByHop`. A switch on the length, then one comparison
    /// against a literal: no per-name array to retain, as a loop over `[[UInt8]]` had.
    private func isHopByHop(_ range: Range<Int>) -> Bool {
        switch range.count {
        case 2: equals(range, "te")
        case 7: equals(range, "trailer") || equals(range, "upgrade")
        case 10: equals(range, "connection") || equals(range, "keep-alive")
        case 14: equals(range, "content-length")
        case 16: equals(range, "proxy-connection")
        case 17: equals(range, "transfer-encoding")
        case 18: equals(range, "proxy-authenticate")
        case 19: equals(range, "proxy-authorization")
        default: false
        }
    }

    /// Whether `storage[range]` equals one of the lower-case `names`, ignoring case.
    private func isListed(_ range: Range<Int>, _ names: [StaticString]) -> Bool {
        for name in names where equals(range, name) { return true }
        return false
    }

    /// Whether `storage[range]` equals, ignoring case, one of the names at `ranges` (also in `storage`).
    private func isNamed(_ range: Range<Int>, _ ranges: [Range<Int>]) -> Bool {
        outer: for other in ranges where other.count == range.count {
            for offset in 0..<range.count
            where lowercased(storage[range.lowerBound + offset]) != lowercased(storage[other.lowerBound + offset]) {
                continue outer
            }
            return true
        }
        return false
    }
}
