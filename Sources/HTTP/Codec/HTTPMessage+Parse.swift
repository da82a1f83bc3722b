import Platform

extension HTTPRequestHead: HTTPParsableHead {
    /// Parses `METHOD SP target SP HTTP/1.x CRLF fields CRLF`.
    package static func parse(
        _ bytes: UnsafeRawBufferPointer, limits: HTTPLimits, requestWasHEAD: Bool
    ) throws(HTTPParseError) -> (HTTPRequestHead, BodyFraming) {
        let lineEnd = HeadParser.lineEnd(bytes, from: 0)
        let token = ByteClass.token
        var cursor = 0
        while cursor < lineEnd && token[Int(bytes[cursor])] { cursor += 1 }
        guard cursor > 0, cursor < lineEnd, bytes[cursor] == ByteClass.space else {
            throw cursor == lineEnd || (cursor > 0 && bytes[cursor] == ByteClass.space)
                ? .invalidRequestLine : .invalidMethod
        }
        let method = String(decoding: bytes[0..<cursor], as: UTF8.self)
        cursor += 1
        let targetStart = cursor
        let targetClass = ByteClass.target
        while cursor < lineEnd && targetClass[Int(bytes[cursor])] { cursor += 1 }
        guard cursor > targetStart, cursor < lineEnd, bytes[cursor] == ByteClass.space else {
            throw cursor < lineEnd && bytes[cursor] != ByteClass.space ? .invalidTarget : .invalidRequestLine
        }
        let target = String(decoding: bytes[targetStart..<cursor], as: UTF8.self)
        let version = try HeadParser.parseVersion(bytes, (cursor + 1)..<lineEnd)
        let fields = try HeadParser.parseFields(bytes, from: lineEnd + 2, limits: limits, isRequest: true)

        if version.minor >= 1 {
            guard fields.hostCount > 0 else { throw .missingHost }
        }
        guard fields.hostCount <= 1 else { throw .duplicateHost }
        var head = HTTPRequestHead(method: method, target: target, version: version, headers: fields.headers)
        let framing: BodyFraming
        if fields.transferEncoding {
            guard fields.contentLength == nil else { throw .contentLengthWithTransferEncoding }
            guard fields.chunked else { throw .invalidTransferEncoding }
            framing = .chunked
            // RFC 9112 §6.1: a 1.0 request with chunked framing cannot be trusted to end the connection right.
            if version.minor == 0 { head.keepAlive = false }
        } else if let length = fields.contentLength {
            guard length <= limits.maxBody else { throw .bodyTooLarge(limit: limits.maxBody) }
            framing = length == 0 ? .none : .length(length)
        } else {
            framing = .none
        }
        return (head, framing)
    }
}

extension HTTPResponseHead: HTTPParsableHead {
    /// Parses `HTTP/1.x SP 3DIGIT [SP reason] CRLF fields CRLF`.
    package static func parse(
        _ bytes: UnsafeRawBufferPointer, limits: HTTPLimits, requestWasHEAD: Bool
    ) throws(HTTPParseError) -> (HTTPResponseHead, BodyFraming) {
        let lineEnd = HeadParser.lineEnd(bytes, from: 0)
        guard lineEnd >= 12, bytes[8] == ByteClass.space else { throw .invalidStatusLine }
        let version = try HeadParser.parseVersion(bytes, 0..<8)
        var status = 0
        for index in 9..<12 {
            let digit = bytes[index] &- 0x30
            guard digit < 10 else { throw .invalidStatusLine }
            status = status * 10 + Int(digit)
        }
        guard status >= 100 else { throw .invalidStatusLine }
        var reason = ""
        if lineEnd > 12 {
            guard bytes[12] == ByteClass.space else { throw .invalidStatusLine }
            guard bytes[13..<lineEnd].allSatisfy({ ByteClass.fieldValue[Int($0)] }) else { throw .invalidStatusLine }
            reason = String(decoding: bytes[13..<lineEnd], as: UTF8.self)
        }
        let fields = try HeadParser.parseFields(bytes, from: lineEnd + 2, limits: limits, isRequest: false)
        let head = HTTPResponseHead(status: status, reason: reason, version: version, headers: fields.headers)

        if status < 200 && status != 101 { return (head, .informational) }
        if requestWasHEAD || status == 204 || status == 304 || status == 101 { return (head, .none) }
        if fields.transferEncoding {
            guard fields.contentLength == nil else { throw .contentLengthWithTransferEncoding }
            return (head, fields.chunked ? .chunked : .untilClose)
        }
        if let length = fields.contentLength {
            guard length <= limits.maxBody else { throw .bodyTooLarge(limit: limits.maxBody) }
            return (head, length == 0 ? .none : .length(length))
        }
        return (head, .untilClose)
    }
}
