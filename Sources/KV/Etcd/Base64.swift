/// Standard base64 (RFC 4648, with padding), the encoding etcd's gateway uses for keys and values.
package enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// Encodes bytes with padding.
    package static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            var n = UInt32(bytes[i]) << 16
            if rest == 2 { n |= UInt32(bytes[i + 1]) << 8 }
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(rest == 2 ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes padded standard base64.
    /// - Throws: `Base64Error` with Go's wording ("illegal base64 data at input byte N").
    package static func decode(_ text: String) throws -> [UInt8] {
        let input = Array(text.utf8)
        var out = [UInt8]()
        out.reserveCapacity(input.count / 4 * 3)
        var i = 0
        while i < input.count {
            var quad = [UInt32](repeating: 0, count: 4)
            var filled = 0
            while filled < 4 {
                guard i < input.count else {
                    if filled == 0 { return out }
                    throw Base64Error(offset: input.count)
                }
                let c = input[i]
                if c == UInt8(ascii: "=") {
                    // Padding: only in positions 2 or 3 of the last quad.
                    guard filled >= 2 else { throw Base64Error(offset: i) }
                    if filled == 2 {
                        guard i + 1 < input.count, input[i + 1] == UInt8(ascii: "=") else {
                            throw Base64Error(offset: i + 1 < input.count ? i + 1 : input.count)
                        }
                        guard i + 2 == input.count else { throw Base64Error(offset: i + 2) }
                        out.append(UInt8((quad[0] << 2 | quad[1] >> 4) & 0xff))
                        return out
                    }
                    guard i + 1 == input.count else { throw Base64Error(offset: i + 1) }
                    let n = quad[0] << 18 | quad[1] << 12 | quad[2] << 6
                    out.append(UInt8(n >> 16 & 0xff))
                    out.append(UInt8(n >> 8 & 0xff))
                    return out
                }
                let v = decodeTable[Int(c)]
                guard v != 0xff else { throw Base64Error(offset: i) }
                quad[filled] = UInt32(v)
                filled += 1
                i += 1
            }
            let n = quad[0] << 18 | quad[1] << 12 | quad[2] << 6 | quad[3]
            out.append(UInt8(n >> 16 & 0xff))
            out.append(UInt8(n >> 8 & 0xff))
            out.append(UInt8(n & 0xff))
        }
        return out
    }
}

/// Base64 input that is not valid, with the offset of the first bad byte.
package struct Base64Error: Error, Sendable, Hashable, CustomStringConvertible {
    package var offset: Int
    package init(offset: Int) { self.offset = offset }
    package var description: String { "illegal base64 data at input byte \(offset)" }
}
