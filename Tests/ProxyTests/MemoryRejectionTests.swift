import Testing

/// Requests the proxy must refuse by itself: the client gets one exact status line and reason and the
/// connection ends; not one byte reaches an instance.
struct MemoryRejectionTests {
    static let instance = "127.0.0.11:8080"

    /// Request text and the proxy's own answer to it (status with reason, then the message).
    struct RejectionRow: Sendable, CustomTestStringConvertible {
        let name: String
        let request: String
        let status: String
        let message: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        RejectionRow(
            name: "Content-Length with Transfer-Encoding",
            request: wire(
                ["POST / HTTP/1.1", "Host: blog.example.test", "Content-Length: 4", "Transfer-Encoding: chunked"],
                body: "0\r\n\r\n"),
            status: "400 Bad Request", message: "both Content-Length and Transfer-Encoding present"),
        RejectionRow(
            name: "two different Content-Lengths",
            request: wire(["POST / HTTP/1.1", "Host: blog.example.test", "Content-Length: 4", "Content-Length: 5"]),
            status: "400 Bad Request", message: "several Content-Length headers with different values"),
        RejectionRow(
            name: "chunked not last",
            request: wire(["POST / HTTP/1.1", "Host: blog.example.test", "Transfer-Encoding: chunked, identity"]),
            status: "400 Bad Request", message: "Transfer-Encoding must end with a single 'chunked'"),
        RejectionRow(
            name: "two Hosts",
            request: wire(["GET / HTTP/1.1", "Host: blog.example.test", "Host: shop.example.test"]),
            status: "400 Bad Request", message: "more than one Host header"),
        RejectionRow(
            name: "HTTP/1.1 without Host", request: wire(["GET / HTTP/1.1"]),
            status: "400 Bad Request", message: "HTTP/1.1 request without a Host header"),
        RejectionRow(
            name: "obsolete line folding",
            request: wire(["GET / HTTP/1.1", "Host: blog.example.test", "X-A: 1", " folded"]),
            status: "400 Bad Request",
            message: "header line starts with whitespace (obsolete line folding is not accepted)"),
        RejectionRow(
            name: "bare LF", request: "GET / HTTP/1.1\nHost: blog.example.test\n\n",
            status: "400 Bad Request", message: "line ends with a bare LF; HTTP lines end with CRLF"),
        RejectionRow(
            name: "space before colon", request: wire(["GET / HTTP/1.1", "Host : blog.example.test"]),
            status: "400 Bad Request", message: "whitespace between header name and colon"),
        RejectionRow(
            name: "bad chunk size",
            request: wire(
                ["POST / HTTP/1.1", "Host: blog.example.test", "Transfer-Encoding: chunked"], body: "zz\r\n"),
            status: "400 Bad Request", message: "chunk size is not a hexadecimal number followed by CRLF"),
        RejectionRow(
            name: "request line too long",
            request: wire(["GET /\(String(repeating: "a", count: 9000)) HTTP/1.1", "Host: blog.example.test"]),
            status: "414 URI Too Long", message: "request line longer than 8192 bytes"),
        RejectionRow(
            name: "too many fields",
            request: wire(["GET / HTTP/1.1", "Host: blog.example.test"] + (0..<100).map { "X-\($0): 1" }),
            status: "431 Request Header Fields Too Large", message: "more than 100 header fields"),
        RejectionRow(
            name: "gzip transfer coding",
            request: wire(["POST / HTTP/1.1", "Host: blog.example.test", "Transfer-Encoding: gzip, chunked"]),
            status: "501 Not Implemented", message: "unsupported transfer coding 'gzip'; only chunked is accepted"),
    ])
    func hostileRequestIsRefusedAndNothingReachesTheInstance(_ row: RejectionRow) throws {
        let driver = try ProxyDriver(apps: ["blog": [MemoryRejectionTests.instance]])
        let client = driver.connect()
        client.send(row.request)
        driver.run()
        #expect(client.received == proxyAnswer(row.status, row.message, close: true))
        #expect(client.receivedFIN)
        #expect(driver.upstream(MemoryRejectionTests.instance).received == "")
    }
}
