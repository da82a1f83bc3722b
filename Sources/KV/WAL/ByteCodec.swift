/// Appends little-endian integers and length-prefixed byte strings: the WAL's payload encoding.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A variable-length unsigned integer (7 bits a byte), so short keys cost one length byte.
    mutating func writeVarint(_ value: Int) {
        var rest = UInt64(value)
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func write(_ data: [UInt8]) {
        writeVarint(data.count)
        bytes.append(contentsOf: data)
    }
}

/// Reads what `ByteWriter` wrote; every read checks the bounds, so a damaged payload throws.
struct ByteReader {
    /// The payload ended early or held an impossible value.
    struct Malformed: Error {
        var reason: String
    }

    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func readByte() throws -> UInt8 {
        guard offset < bytes.count else { throw Malformed(reason: "payload ends early") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt32() throws -> UInt32 {
        guard bytes.count - offset >= 4 else { throw Malformed(reason: "payload ends early") }
        var value: UInt32 = 0
        for shift in 0..<4 { value |= UInt32(bytes[offset + shift]) << (8 * shift) }
        offset += 4
        return value
    }

    mutating func readInt64() throws -> Int64 {
        guard bytes.count - offset >= 8 else { throw Malformed(reason: "payload ends early") }
        var value: UInt64 = 0
        for shift in 0..<8 { value |= UInt64(bytes[offset + shift]) << (8 * shift) }
        offset += 8
        return Int64(bitPattern: value)
    }

    mutating func readVarint() throws -> Int {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
            guard shift < 63 else { throw Malformed(reason: "length is too long") }
        }
        guard value <= UInt64(Int.max) else { throw Malformed(reason: "length is too large") }
        return Int(value)
    }

    mutating func readBytes() throws -> [UInt8] {
        let count = try readVarint()
        guard bytes.count - offset >= count else { throw Malformed(reason: "payload ends early") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}
