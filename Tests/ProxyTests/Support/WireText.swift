/// An HTTP message as it goes on the wire: each line ended by CRLF, an empty line, then `body`.
func wire(_ lines: [String], body: String = "") -> String {
    lines.map { $0 + "\r\n" }.joined() + "\r\n" + body
}

/// The short plain-text answer the proxy makes itself, spelled out here independently of the code that
/// writes it. `status` is the code and reason, such as `404 Not Found`.
func proxyAnswer(_ status: String, _ message: String, close: Bool = false, isHEAD: Bool = false) -> String {
    let body = "\(status): \(message)\n"
    var lines = ["HTTP/1.1 \(status)", "Content-Type: text/plain; charset=utf-8", "Content-Length: \(body.utf8.count)"]
    if close { lines.append("Connection: close") }
    return wire(lines, body: isHEAD ? "" : body)
}

/// The head the proxy sends upstream for a request from `ProxyDriver.clientIP`: the request line, `Host`,
/// the end-to-end `fields`, then the forwarding fields it sets.
func forwarded(
    _ requestLine: String = "GET / HTTP/1.1", host: String = "blog.example.test", fields: [String] = [],
    forwardedFor: String = ProxyDriver.clientIP, framing: [String] = []
) -> String {
    wire(
        [requestLine, "Host: \(host)"] + fields + [
            "X-Forwarded-For: \(forwardedFor)", "X-Real-IP: \(ProxyDriver.clientIP)", "X-Forwarded-Proto: http",
            "X-Forwarded-Host: \(host)",
        ] + framing)
}

/// The default answer of a `ScriptedUpstream`: 200 with its address as the body.
func answerFrom(_ address: String) -> String {
    wire(["HTTP/1.1 200 OK", "Content-Length: \(address.utf8.count)"], body: address)
}
