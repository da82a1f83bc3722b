import Platform

/// An HTTP version such as 1.1.
package struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    package var major: Int
    package var minor: Int
    package init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }
    package static let http1_1 = HTTPVersion(major: 1, minor: 1)
    package static let http1_0 = HTTPVersion(major: 1, minor: 0)
    package var description: String { "HTTP/\(major).\(minor)" }
}

/// The request line and header fields of a request.
package struct HTTPRequestHead: Sendable {
    package var method: String
    /// The request target as sent, such as `/v3/kv/range?x=1`.
    package var target: String
    package var version: HTTPVersion
    package var headers: HTTPHeaders
    /// Whether the connection may carry another request after this one (HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`).
    package var keepAlive: Bool

    package init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders())
    {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.keepAlive = HTTPRequestHead.keepAlive(version: version, headers: headers)
    }

    /// The target before `?`.
    package var path: String {
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return target }
        return String(target[..<mark])
    }

    /// The target after `?`, nil when there is no `?`.
    package var query: String? {
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return String(target[target.utf8.index(after: mark)...])
    }

    /// Whether the client waits for `100 Continue` before sending the body.
    package var expectsContinue: Bool { headers.containsToken("100-continue", in: "expect") }

    static func keepAlive(version: HTTPVersion, headers: HTTPHeaders) -> Bool {
        if headers.containsToken("close", in: "connection") { return false }
        if version.major == 1 && version.minor >= 1 { return true }
        return headers.containsToken("keep-alive", in: "connection")
    }
}

/// The status line and header fields of a response.
package struct HTTPResponseHead: Sendable {
    package var version: HTTPVersion
    package var status: Int
    package var reason: String
    package var headers: HTTPHeaders
    /// Whether the server lets the connection carry another request.
    package var keepAlive: Bool

    package init(
        status: Int, reason: String? = nil, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders()
    ) {
        self.version = version
        self.status = status
        self.reason = reason ?? HTTPSerializer.reason(for: status)
        self.headers = headers
        self.keepAlive = HTTPRequestHead.keepAlive(version: version, headers: headers)
    }
}

/// A complete request as a handler sees it.
package struct HTTPRequest: Sendable {
    package var head: HTTPRequestHead
    package var body: [UInt8]
    package init(head: HTTPRequestHead, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }
}

/// A complete response: what a handler answers and what `HTTPClient.send` returns.
package struct HTTPResponse: Sendable {
    package var status: Int
    package var headers: HTTPHeaders
    package var body: [UInt8]
    package init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
