import Platform

/// Writes HTTP/1.1 heads and chunk framing into byte buffers the caller reuses.
package enum HTTPSerializer {
    /// Appends `HTTP/1.1 <status> <reason>\r\n`, the fields and the empty line.
    package static func writeResponseHead(status: Int, headers: HTTPHeaders, into out: inout [UInt8]) {
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status, to: &out)
        out.append(ByteClass.space)
        out.append(contentsOf: reason(for: status).utf8)
        out.append(ByteClass.cr)
        out.append(ByteClass.lf)
        headers.write(into: &out)
        out.append(ByteClass.cr)
        out.append(ByteClass.lf)
    }

    /// How a written message delimits its body.
    package enum Framing: Equatable, Sendable {
        /// No body may follow (1xx, 204, 304) or the head describes a body that is not sent (HEAD).
        case none
        case length(Int)
        case chunked
    }

    /// Appends a response head whose framing and `Connection` fields come from the arguments; the same
    /// fields in `headers` are dropped so a handler cannot produce a message that frames differently.
    /// - Parameter connection: `close`, `keep-alive` (for HTTP/1.0 clients) or nil for none.
    package static func writeResponseHead(
        status: Int, headers: HTTPHeaders, framing: Framing, connection: String?, into out: inout [UInt8]
    ) {
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status, to: &out)
        out.append(ByteClass.space)
        out.append(contentsOf: reason(for: status).utf8)
        out.append(ByteClass.cr)
        out.append(ByteClass.lf)
        headers.write(into: &out, skippingFraming: true)
        switch framing {
        case .none: break
        case .length(let length):
            out.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(length, to: &out)
            out.append(ByteClass.cr)
            out.append(ByteClass.lf)
        case .chunked:
            out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        }
        if let connection {
            out.append(contentsOf: "Connection: ".utf8)
            out.append(contentsOf: connection.utf8)
            out.append(ByteClass.cr)
            out.append(ByteClass.lf)
        }
        out.append(ByteClass.cr)
        out.append(ByteClass.lf)
    }

    /// Appends `<method> <target> HTTP/1.1\r\n`, the fields and the empty line.
    package static func writeRequestHead(method: String, target: String, headers: HTTPHeaders, into out: inout [UInt8])
    {
        out.append(contentsOf: method.utf8)
        out.append(ByteClass.space)
        out.append(contentsOf: target.utf8)
        out.append(contentsOf: " HTTP/1.1\r\n".utf8)
        headers.write(into: &out)
        out.append(ByteClass.cr)
        out.append(ByteClass.lf)
    }

    /// Appends one chunk (`<hex size>\r\n<bytes>\r\n`); nothing for empty `bytes`, which would end the body.
    package static func writeChunk(_ bytes: [UInt8], into out: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        appendHex(bytes.count, to: &out)
        out.append(ByteClass.cr)
        out.append(ByteClass.lf)
        out.append(contentsOf: bytes)
        out.append(ByteClass.cr)
        out.append(ByteClass.lf)
    }

    /// Appends the last chunk with no trailers.
    package static func writeLastChunk(into out: inout [UInt8]) {
        out.append(contentsOf: "0\r\n\r\n".utf8)
    }

    /// Appends a non-negative `value` in decimal without building a String.
    package static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        let value = max(0, value)
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    static func appendHex(_ value: Int, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        var shift = (Int.bitWidth - value.leadingZeroBitCount + 3) / 4 * 4 - 4
        while shift >= 0 {
            out.append(hex[(value >> shift) & 0xF])
            shift -= 4
        }
    }

    /// The standard reason phrase, or an empty string for codes without one.
    package static func reason(for status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: ""
        }
    }
}
