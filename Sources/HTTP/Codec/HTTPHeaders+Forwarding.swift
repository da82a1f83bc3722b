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
    package func writeEndToEnd(into out: inout [UInt8], dropping: [[UInt8]] = []) {
        var named: [[UInt8]] = []
        for index in fields.indices where matches(index, "connection") {
            // Each token of Connection names a field the sender meant for this hop only.
            for token in value(at: index).split(separator: ",") {
                let name = token.trimmingSpaces.lowercased()
                if !name.isEmpty { named.append(Array(name.utf8)) }
            }
        }
        for field in fields {
            if isListed(field, HTTPHeaders.hopByHopBytes) || isListed(field, dropping) || isListed(field, named) {
                continue
            }
            out.append(contentsOf: storage[Int(field.nameStart)..<Int(field.nameEnd)])
            out.append(0x3A)
            out.append(0x20)
            out.append(contentsOf: storage[Int(field.valueStart)..<Int(field.valueEnd)])
            out.append(0x0D)
            out.append(0x0A)
        }
    }

    private func isListed(_ field: Field, _ names: [[UInt8]]) -> Bool {
        let start = Int(field.nameStart)
        let length = Int(field.nameEnd) - start
        outer: for name in names where name.count == length {
            for offset in 0..<length where lowercased(storage[start + offset]) != name[offset] { continue outer }
            return true
        }
        return false
    }

    private static let hopByHopBytes: [[UInt8]] = hopByHop.map { Array($0.utf8) }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return text
    }
}
