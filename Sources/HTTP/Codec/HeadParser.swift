import Platform

/// How the body of a message is delimited, decided from its head.
package enum BodyFraming: Sendable, Equatable {
    case none
    case length(Int)
    case chunked
    /// Response body that ends when the server closes the connection.
    case untilClose
    /// A 1xx interim response: no body, and the real response follows.
    case informational
}

/// A head type the generic parser can produce from a complete head (start line to the empty line).
package protocol HTTPParsableHead: Sendable {
    /// - Parameter requestWasHEAD: for responses, whether the request was HEAD (so there is no body).
    /// - Throws: `HTTPParseError` when the head is malformed or breaks `limits`.
    static func parse(
        _ bytes: UnsafeRawBufferPointer, limits: HTTPLimits, requestWasHEAD: Bool
    ) throws(HTTPParseError) -> (Self, BodyFraming)
}

/// What the field lines of a head say about framing; collected in one pass while they are validated.
struct FieldSummary {
    var headers = HTTPHeaders()
    var contentLength: Int?
    var chunked = false
    var transferEncoding = false
    var hostCount = 0
}

/// Line-level parsing shared by request and response heads. `bytes` must end with CRLF CRLF and hold
/// only CRLF line ends (the scanner already rejected bare LF).
enum HeadParser {
    /// The end of the line starting at `start` (index of its CR).
    static func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while bytes[index] != ByteClass.lf { index += 1 }
        return index - 1
    }

    /// Parses the field lines from `start` to the empty line.
    static func parseFields(
        _ bytes: UnsafeRawBufferPointer, from start: Int, limits: HTTPLimits, isRequest: Bool
    ) throws(HTTPParseError) -> FieldSummary {
        var summary = FieldSummary()
        // One copy of the field bytes; every field points into it.
        let fieldBytes = UnsafeRawBufferPointer(rebasing: bytes[start..<(bytes.count - 2)])
        let storage = [UInt8](unsafeUninitializedCapacity: fieldBytes.count) { buffer, count in
            // One memcpy; `Array(bytes[range])` copied through the slice's generic iterator.
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: fieldBytes)
            count = fieldBytes.count
        }
        var fields: [HTTPHeaders.Field] = []
        // Most heads have a handful of fields: one allocation instead of growing 1, 2, 4, 8.
        fields.reserveCapacity(12)
        var position = start
        let token = ByteClass.token
        let valueClass = ByteClass.fieldValue
        while true {
            let end = lineEnd(bytes, from: position)
            if end == position { break }
            if ByteClass.isWhitespace(bytes[position]) { throw .obsoleteLineFolding }
            var cursor = position
            while cursor < end && token[Int(bytes[cursor])] { cursor += 1 }
            let nameEnd = cursor
            guard cursor < end, bytes[cursor] == ByteClass.colon, nameEnd > position else {
                if cursor < end && ByteClass.isWhitespace(bytes[cursor]) && nameEnd > position {
                    throw .whitespaceBeforeColon
                }
                throw .invalidHeaderName
            }
            cursor += 1
            while cursor < end && ByteClass.isWhitespace(bytes[cursor]) { cursor += 1 }
            let valueStart = cursor
            while cursor < end {
                guard valueClass[Int(bytes[cursor])] else {
                    throw .invalidHeaderValue(name: String(decoding: bytes[position..<nameEnd], as: UTF8.self))
                }
                cursor += 1
            }
            var valueEnd = end
            while valueEnd > valueStart && ByteClass.isWhitespace(bytes[valueEnd - 1]) { valueEnd -= 1 }
            guard fields.count < limits.maxHeaderCount else { throw .tooManyHeaders(limit: limits.maxHeaderCount) }
            fields.append(
                HTTPHeaders.Field(
                    nameStart: Int32(position - start), nameEnd: Int32(nameEnd - start),
                    valueStart: Int32(valueStart - start), valueEnd: Int32(valueEnd - start)))
            try summarize(
                bytes, name: position..<nameEnd, value: valueStart..<valueEnd, into: &summary, isRequest: isRequest)
            position = end + 2
        }
        summary.headers = HTTPHeaders(storage: storage, fields: fields)
        return summary
    }

    private static func summarize(
        _ bytes: UnsafeRawBufferPointer, name: Range<Int>, value: Range<Int>, into summary: inout FieldSummary,
        isRequest: Bool
    ) throws(HTTPParseError) {
        switch name.count {
        case 4 where equals(bytes, name, "host"):
            summary.hostCount += 1
        case 14 where equals(bytes, name, "content-length"):
            guard !value.isEmpty, value.count <= 18 else {
                if !value.isEmpty && bytes[value].allSatisfy({ $0 &- 0x30 < 10 }) {
                    throw .bodyTooLarge(limit: Int.max)
                }
                throw .invalidContentLength
            }
            var length = 0
            for byte in bytes[value] {
                guard byte &- 0x30 < 10 else { throw .invalidContentLength }
                length = length * 10 + Int(byte &- 0x30)
            }
            if let previous = summary.contentLength, previous != length { throw .conflictingContentLength }
            summary.contentLength = length
        case 17 where equals(bytes, name, "transfer-encoding"):
            summary.transferEncoding = true
            for coding in String(decoding: bytes[value], as: UTF8.self).split(
                separator: ",", omittingEmptySubsequences: false)
            {
                let coding = coding.trimmingWhitespace.lowercased()
                if summary.chunked {
                    // Anything after chunked (even another chunked) would be applied after the framing.
                    throw .invalidTransferEncoding
                }
                if coding == "chunked" {
                    summary.chunked = true
                } else if coding.isEmpty {
                    throw .invalidTransferEncoding
                } else if isRequest {
                    throw .unsupportedTransferEncoding(coding)
                }
            }
        default:
            break
        }
    }

    /// Whether `bytes[range]` equals the lowercase ASCII `literal`, ignoring case.
    static func equals(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard range.count == count else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<count where lowercased(bytes[range.lowerBound + offset]) != pointer[offset] {
            return false
        }
        return true
    }

    /// Parses `HTTP/d.d` at `range`.
    static func parseVersion(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) throws(HTTPParseError) -> HTTPVersion
    {
        let at = range.lowerBound
        // "HTTP/" is case-sensitive (RFC 9112 §2.3).
        guard range.count == 8, bytes[at] == 0x48, bytes[at + 1] == 0x54, bytes[at + 2] == 0x54, bytes[at + 3] == 0x50,
            bytes[at + 4] == 0x2F,
            bytes[range.lowerBound + 6] == UInt8(ascii: "."),
            case let major = bytes[range.lowerBound + 5] &- 0x30, major < 10,
            case let minor = bytes[range.lowerBound + 7] &- 0x30, minor < 10
        else { throw .invalidVersion }
        guard major == 1 else { throw .unsupportedVersion("HTTP/\(major).\(minor)") }
        return HTTPVersion(major: 1, minor: Int(minor))
    }
}

extension Substring {
    var trimmingWhitespace: Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
