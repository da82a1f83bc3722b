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
    private static let requestDropped: [[UInt8]] = [
        "x-forwarded-for", "x-real-ip", "x-forwarded-proto", "x-forwarded-host", "expect",
    ].map { Array($0.utf8) }

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
        out.append(contentsOf: head.method.utf8)
        out.append(0x20)
        out.append(contentsOf: head.target.utf8)
        out.append(contentsOf: " HTTP/1.1\r\n".utf8)
        head.headers.writeEndToEnd(into: &out, dropping: requestDropped)
        if !head.headers.contains("host") {
            // An HTTP/1.0 request may lack Host; HTTP/1.1 upstreams require one.
            field("Host", "", into: &out)
        }
        let forwardedFor = head.headers.values(of: "x-forwarded-for").joined(separator: ", ")
        field("X-Forwarded-For", forwardedFor.isEmpty ? clientIP : forwardedFor + ", " + clientIP, into: &out)
        field("X-Real-IP", clientIP, into: &out)
        field("X-Forwarded-Proto", "http", into: &out)
        if let host = head.headers["host"] { field("X-Forwarded-Host", host, into: &out) }
        switch body {
        case .none:
            let method = head.method
            if method == "POST" || method == "PUT" || method == "PATCH" { field("Content-Length", "0", into: &out) }
        case .length(let length):
            out.append(contentsOf: "Content-Length: ".utf8)
            HTTPSerializer.appendDecimal(length, to: &out)
            out.append(contentsOf: "\r\n".utf8)
        case .chunked:
            out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        }
        if let upgrade {
            field("Connection", "upgrade", into: &out)
            field("Upgrade", upgrade, into: &out)
        }
        out.append(contentsOf: "\r\n".utf8)
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
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        HTTPSerializer.appendDecimal(head.status, to: &out)
        out.append(0x20)
        out.append(contentsOf: (head.reason.isEmpty ? HTTPSerializer.reason(for: head.status) : head.reason).utf8)
        out.append(contentsOf: "\r\n".utf8)
        head.headers.writeEndToEnd(into: &out)
        switch framing {
        case .none:
            // HEAD and 304 answers describe the body they leave out; keep the upstream's length.
            if let length = head.headers["content-length"], head.status != 204, head.status >= 200 {
                field("Content-Length", length, into: &out)
            }
        case .length(let length):
            out.append(contentsOf: "Content-Length: ".utf8)
            HTTPSerializer.appendDecimal(length, to: &out)
            out.append(contentsOf: "\r\n".utf8)
        case .chunked:
            out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        case .untilClose:
            break
        }
        if let connection { field("Connection", connection, into: &out) }
        if let upgrade { field("Upgrade", upgrade, into: &out) }
        out.append(contentsOf: "\r\n".utf8)
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

    private static func field(_ name: String, _ value: String, into out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: ": ".utf8)
        out.append(contentsOf: value.utf8)
        out.append(contentsOf: "\r\n".utf8)
    }
}
