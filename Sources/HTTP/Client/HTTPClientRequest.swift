import Platform

/// A request for `HTTPClient`; `Host` and `Content-Length` are added when missing.
package struct HTTPClientRequest: Sendable {
    package var method: String
    /// The request target: path and optional query.
    package var path: String
    package var headers: HTTPHeaders
    package var body: [UInt8]

    package init(method: String = "GET", path: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// The request as bytes for `endpoint`.
    func serialized(for endpoint: Endpoint) -> [UInt8] {
        var headers = self.headers
        if !headers.contains("host") { headers.add("Host", endpoint.authority) }
        headers.remove("transfer-encoding")
        let sendsLength = !body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH"
        if sendsLength { headers.replaceOrAdd("Content-Length", String(body.count)) }
        var out: [UInt8] = []
        out.reserveCapacity(128 + body.count)
        HTTPSerializer.writeRequestHead(method: method, target: path.isEmpty ? "/" : path, headers: headers, into: &out)
        out.append(contentsOf: body)
        return out
    }
}

/// A response whose body arrives over time; from `HTTPClient.stream`.
package struct HTTPResponseStream: Sendable {
    package var status: Int
    package var headers: HTTPHeaders
    /// De-chunked body pieces as they arrive; finishes when the response ends, throws if it is cut short.
    package var body: AsyncThrowingStream<[UInt8], any Error>
    let cancelAction: @Sendable () -> Void

    /// Closes the connection; `body` then finishes.
    package func cancel() { cancelAction() }
}
