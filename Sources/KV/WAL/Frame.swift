/// The framing of every record: `[length u32][crc32c u32][payload]`, little-endian.
enum Frame {
    static let headerSize = 8
    /// Larger record lengths are damage, not data: the store never accepts requests near this size.
    static let maxPayload = 256 << 20

    enum Parsed {
        case valid(payload: [UInt8], end: Int)
        /// The frame runs past the end of the data.
        case incomplete
        case badChecksum
    }

    static func encode(_ payload: [UInt8]) -> [UInt8] {
        var writer = ByteWriter(capacity: payload.count + headerSize)
        writer.write(UInt32(payload.count))
        writer.write(CRC32C.checksum(payload))
        writer.bytes.append(contentsOf: payload)
        return writer.bytes
    }

    static func parse(_ bytes: [UInt8], at offset: Int, limit: Int = maxPayload) -> Parsed {
        guard bytes.count - offset >= headerSize else { return .incomplete }
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        let length = Int(u32(offset))
        let crc = u32(offset + 4)
        guard length <= limit else { return .badChecksum }
        let start = offset + headerSize
        guard bytes.count - start >= length else { return .incomplete }
        let matches = bytes.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<start + length])) == crc
        }
        guard matches else { return .badChecksum }
        return .valid(payload: Array(bytes[start..<start + length]), end: start + length)
    }
}
