import HTTP

/// How a request body travels to the upstream.
package enum RequestBody: Sendable, Equatable {
    case none
    case length(Int)
    case chunked
}

/// How the proxy frames a response body towards the client.
package enum ClientFraming: Sendable, Equatable {
    /// No body (HEAD, 1xx, 204, 304): the upstream's Content-Length, if any, is passed through.
    case none
    case length(Int)
    case chunked
    /// An HTTP/1.0 client with an until-close body: the body ends when the proxy closes.
    case untilClose
}

/// The header rules of the proxy, as pure functions from a head to bytes, so they are table-tested
/// without sockets (Tests/ProxyTests/ForwardRulesTests.swift).
///
/// Like nginx: hop-by-hop fields and those named in `Connection` are dropped both ways; `Host` is passed
/// unchanged; `X-Forwarded-For` gets the client address appended; `X-Real-IP`, `X-Forwarded-Proto` and
/// `X-Forwarded-Host` are set; no `Via` is added (nginx adds none); `Expect` is answered by the proxy.
package enum ForwardRules {
    private static let requestDropped: [StaticString] = [
        "x-forwarded-for", "x-real-ip", "x-forwarded-proto", "x-forwarded-host", "expect",
    ]

    /// Whether `head` asks to switch protocols (`Connection: upgrade` with an `Upgrade` field).
    package static func upgradeProtocol(of head: HTTPRequestHead) -> String? {
        guard head.headers.containsToken("upgrade", in: "connection"), let value = head.headers["upgrade"],
            !value.isEmpty
        else { return nil }
        return value
    }

    /// Writes the request head sent upstream.
    package static func writeRequestHead(
        _ head: HTTPRequestHead, body: RequestBody, clientIP: String, upgrade: String?, into out: inout [UInt8]
    ) {
        append(head.method, to: &out)
        out.append(0x20)
        append(head.target, to: &out)
        append(" HTTP/1.1\r\n", to: &out)
        head.headers.writeEndToEnd(into: &out, dropping: requestDropped)
        if !head.headers.contains("host") {
            // An HTTP/1.0 request may lack Host; HTTP/1.1 upstreams require one.
            append("Host: \r\n", to: &out)
        }
        append("X-Forwarded-For: ", to: &out)
        if head.headers.appendValues(of: "x-forwarded-for", to: &out) > 0 { append(", ", to: &out) }
        append(clientIP, to: &out)
        append("\r\nX-Real-IP: ", to: &out)
        append(clientIP, to: &out)
        append("\r\nX-Forwarded-Proto: http\r\n", to: &out)
        let hostStart = out.count
        append("X-Forwarded-Host: ", to: &out)
        if head.headers.appendFirstValue(of: "host", to: &out) {
            append("\r\n", to: &out)
        } else {
            out.removeSubrange(hostStart...)
        }
        switch body {
        case .none:
            let method = head.method
            if method == "POST" || method == "PUT" || method == "PATCH" { append("Content-Length: 0\r\n", to: &out) }
        case .length(let length):
            append("Content-Length: ", to: &out)
            HTTPSerializer.appendDecimal(length, to: &out)
            append("\r\n", to: &out)
        case .chunked:
            append("Transfer-Encoding: chunked\r\n", to: &out)
        }
        if let upgrade {
            append("Connection: upgrade\r\nUpgrade: ", to: &out)
            append(upgrade, to: &out)
            append("\r\n", to: &out)
        }
        append("\r\n", to: &out)
    }

    /// The framing towards the client for an upstream response.
    package static func clientFraming(
        status: Int, upstream: ResponseFraming, requestIsHEAD: Bool, clientVersion: HTTPVersion
    ) -> ClientFraming {
        if requestIsHEAD || status < 200 || status == 204 || status == 304 { return .none }
        switch upstream {
        case .none: return .length(0)
        case .length(let length): return .length(length)
        case .chunked, .untilClose: return clientVersion.minor >= 1 ? .chunked : .untilClose
        }
    }

    /// Writes the response head sent to the client.
    /// - Parameter connection: `close`, `keep-alive` (HTTP/1.0 clients), `upgrade` (101) or nil.
    package static func writeResponseHead(
        _ head: HTTPResponseHead, framing: ClientFraming, connection: String?, upgrade: String?,
        into out: inout [UInt8]
    ) {
        append("HTTP/1.1 ", to: &out)
        HTTPSerializer.appendDecimal(head.status, to: &out)
        out.append(0x20)
        append(head.reason.isEmpty ? HTTPSerializer.reason(for: head.status) : head.reason, to: &out)
        append("\r\n", to: &out)
        head.headers.writeEndToEnd(into: &out)
        switch framing {
        case .none:
            // HEAD and 304 answers describe the body they leave out; keep the upstream's length.
            if head.status != 204, head.status >= 200 {
                let start = out.count
                append("Content-Length: ", to: &out)
                if head.headers.appendFirstValue(of: "content-length", to: &out) {
                    append("\r\n", to: &out)
                } else {
                    out.removeSubrange(start...)
                }
            }
        case .length(let length):
            append("Content-Length: ", to: &out)
            HTTPSerializer.appendDecimal(length, to: &out)
            append("\r\n", to: &out)
        case .chunked:
            append("Transfer-Encoding: chunked\r\n", to: &out)
        case .untilClose:
            break
        }
        if let connection { field("Connection", connection, into: &out) }
        if let upgrade { field("Upgrade", upgrade, into: &out) }
        append("\r\n", to: &out)
    }

    /// A short plain-text answer the proxy makes itself (404, 502, 503, 504, 400, 408, ...).
    package static func writeLocalResponse(
        status: Int, message: String, close: Bool, isHEAD: Bool, into out: inout [UInt8]
    ) {
        let body = "\(status) \(HTTPSerializer.reason(for: status)): \(message)\n"
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        HTTPSerializer.appendDecimal(status, to: &out)
        out.append(0x20)
        out.append(contentsOf: HTTPSerializer.reason(for: status).utf8)
        out.append(contentsOf: "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ".utf8)
        HTTPSerializer.appendDecimal(body.utf8.count, to: &out)
        out.append(contentsOf: "\r\n".utf8)
        if close { out.append(contentsOf: "Connection: close\r\n".utf8) }
        out.append(contentsOf: "\r\n".utf8)
        if !isHEAD { out.append(contentsOf: body.utf8) }
    }

    /// Appends a literal with one copy (a `String` literal's `.utf8` goes through a generic sequence append).
    @inline(__always)
    static func append(_ literal: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends the UTF-8 of `text` with one copy.
    @inline(__always)
    static func append(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    private static func field(_ name: StaticString, _ value: String, into out: inout [UInt8]) {
        append(name, to: &out)
        append(": ", to: &out)
        append(value, to: &out)
        append("\r\n", to: &out)
    }
}
