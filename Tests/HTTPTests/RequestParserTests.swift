import HTTP
import Platform
import Testing

/// A named input for table tests, so failures say which case broke.
struct Sample: CustomTestStringConvertible, Sendable {
    let name: String
    let bytes: [UInt8]
    init(_ name: String, _ text: String) {
        self.name = name
        self.bytes = Array(text.utf8)
    }
    init(_ name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
    var testDescription: String { name }
}

struct RequestParserTests {
    static let valid: [Sample] = [
        Sample("simple GET", "GET /v3/kv/range?x=1 HTTP/1.1\r\nHost: a\r\n\r\n"),
        Sample("content-length body", "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"),
        Sample(
            "chunked with extensions and trailers",
            "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n"
                + "6 ; x\r\n world\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n"),
        Sample(
            "pipelined three",
            "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nPOST /3 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok"
        ),
        Sample("HTTP/1.0 without host", "GET / HTTP/1.0\r\n\r\n"),
        Sample("leading empty lines are skipped", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        Sample("whitespace around values is trimmed", "GET / HTTP/1.1\r\nHost:   a  \r\nX-Empty:\r\n\r\n"),
        Sample(
            "duplicate equal content-length",
            "PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"),
        Sample("expect continue", "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx"),
    ]

    @Test(arguments: valid)
    func validRequestsParseTheSameAtEverySplitPosition(_ sample: Sample) throws {
        let whole = try parseRequests(sample.bytes)
        #expect(!whole.isEmpty)
        for split in 1..<sample.bytes.count {
            #expect(try parseRequests(sample.bytes, splits: [split]) == whole, "split at \(split)")
        }
        let bytewise = try parseRequests(sample.bytes, splits: Array(1..<sample.bytes.count))
        #expect(bytewise == whole)
    }

    @Test func chunkedBodyIsDecodedAndTrailersDropped() throws {
        let messages = try parseRequests(Self.valid[2].bytes)
        #expect(messages.count == 1)
        #expect(String(decoding: messages[0].body, as: UTF8.self) == "hello world")
    }

    @Test func pipelinedRequestsComeOutInOrder() throws {
        let messages = try parseRequests(Self.valid[3].bytes)
        #expect(messages.map(\.startLine) == ["GET /1 HTTP/1.1", "GET /2 HTTP/1.1", "POST /3 HTTP/1.1"])
        #expect(messages[2].body == Array("ok".utf8))
    }

    @Test func headerValuesAreTrimmedAndNamesKeptInOrder() throws {
        let messages = try parseRequests(Self.valid[6].bytes)
        #expect(messages[0].headers == ["host: a", "x-empty: "])
    }

    @Test func pathAndQuerySplitAtTheFirstQuestionMark() {
        let head = HTTPRequestHead(method: "GET", target: "/a/b?x=1&y=?")
        #expect(head.path == "/a/b")
        #expect(head.query == "x=1&y=?")
        #expect(HTTPRequestHead(method: "GET", target: "/a").query == nil)
    }

    @Test func keepAliveFollowsVersionAndConnectionHeader() {
        #expect(HTTPRequestHead(method: "GET", target: "/").keepAlive)
        #expect(!HTTPRequestHead(method: "GET", target: "/", headers: ["Connection": "close"]).keepAlive)
        #expect(!HTTPRequestHead(method: "GET", target: "/", version: .http1_0).keepAlive)
        #expect(
            HTTPRequestHead(method: "GET", target: "/", version: .http1_0, headers: ["connection": "Keep-Alive"])
                .keepAlive)
    }

    @Test(
        arguments: [
            (["Connection": "close"], true),
            (["CONNECTION": "Close"], true),
            (["Connection": "keep-alive, \tClose \t"], true),
            (["Connection": "upgrade,close"], true),
            (["Connection": ",,close,"], true),
            (["Connection": "closed"], false),
            (["Connection": "clos"], false),
            (["Connection": "keep-alive, c lose"], false),
            (["Connections": "close"], false),
            (["X-Connection": "close"], false),
            ([:], false),
        ] as [(HTTPHeaders, Bool)])
    func connectionTokensMatchWholeListItemsIgnoringCase(headers: HTTPHeaders, containsClose: Bool) {
        #expect(headers.containsToken("close", in: "connection") == containsClose)
    }

    @Test func aTokenInALaterFieldOfTheSameNameCounts() {
        let headers = HTTPHeaders([("Connection", "keep-alive"), ("Connection", "Upgrade")])
        #expect(headers.containsToken("upgrade", in: "connection"))
        #expect(headers.containsToken("keep-alive", in: "connection"))
        #expect(!headers.containsToken("close", in: "connection"))
    }

    struct Malformed: CustomTestStringConvertible, Sendable {
        let name: String
        let bytes: [UInt8]
        let error: HTTPParseError
        init(_ name: String, _ text: String, _ error: HTTPParseError) {
            self.init(name, bytes: Array(text.utf8), error)
        }
        init(_ name: String, bytes: [UInt8], _ error: HTTPParseError) {
            self.name = name
            self.bytes = bytes
            self.error = error
        }
        var testDescription: String { name }
    }

    static let small = HTTPLimits(maxBody: 10)
    static let malformed: [Malformed] = [
        Malformed(
            "bad chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            .invalidChunkSize),
        Malformed(
            "negative chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
            .invalidChunkSize),
        Malformed(
            "chunk size overflow",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n", .chunkSizeOverflow),
        Malformed(
            "chunk without CRLF after data",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", .invalidChunkTerminator),
        Malformed(
            "chunk extension with LF", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;a\nb\r\n",
            .invalidChunkExtension),
        Malformed(
            "content-length and transfer-encoding",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            .contentLengthWithTransferEncoding),
        Malformed(
            "duplicate differing content-length",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", .conflictingContentLength),
        Malformed(
            "negative content-length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", .invalidContentLength
        ),
        Malformed(
            "non-numeric content-length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1e3\r\n\r\n",
            .invalidContentLength),
        Malformed(
            "content-length list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\n", .invalidContentLength),
        Malformed(
            "gzip transfer-encoding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
            .unsupportedTransferEncoding("gzip")),
        Malformed(
            "chunked twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
            .invalidTransferEncoding),
        Malformed(
            "CR injected in header value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rSet: b\r\n\r\n",
            .invalidHeaderValue(name: "X")),
        Malformed("bare LF ends a header line", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", .bareLineFeed),
        Malformed("bare LF request", "GET / HTTP/1.1\n\n", .bareLineFeed),
        Malformed("NUL in header value", "GET / HTTP/1.1\r\nHost: a\u{0}b\r\n\r\n", .invalidHeaderValue(name: "Host")),
        Malformed("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", .obsoleteLineFolding),
        Malformed("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", .whitespaceBeforeColon),
        Malformed("invalid char in header name", "GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n", .invalidHeaderName),
        Malformed("header without colon", "GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", .invalidHeaderName),
        Malformed("invalid method token", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidMethod),
        Malformed("two spaces in request line", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestLine),
        Malformed("space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidVersion),
        Malformed("lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", .invalidVersion),
        Malformed("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", .unsupportedVersion("HTTP/2.0")),
        Malformed("missing host", "GET / HTTP/1.1\r\n\r\n", .missingHost),
        Malformed("two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .duplicateHost),
        Malformed(
            "overlong request line", "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\n\r\n",
            .requestLineTooLong(limit: 8192)),
        Malformed(
            "overlong unterminated request line", "GET /" + String(repeating: "a", count: 9000),
            .requestLineTooLong(limit: 8192)),
        Malformed(
            "too many headers", "GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X: y\r\n", count: 100) + "\r\n",
            .tooManyHeaders(limit: 100)),
        Malformed(
            "too large header block",
            "GET / HTTP/1.1\r\nHost: a\r\n"
                + String(repeating: "X: " + String(repeating: "y", count: 1000) + "\r\n", count: 66),
            .headerBlockTooLarge(limit: 65536)),
        Malformed(
            "TLS client hello", bytes: [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x0d, 0x0a],
            .invalidMethod),
        Malformed("binary garbage", bytes: [0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a], .invalidMethod),
    ]

    @Test(arguments: malformed)
    func malformedRequestsAreRejectedWithTheRightError(_ sample: Malformed) {
        #expect(throws: sample.error) { try parseRequests(sample.bytes) }
        #expect(throws: sample.error) { try parseRequests(sample.bytes, splits: Array(1..<sample.bytes.count)) }
    }

    @Test func bodyLimitsGive413ForDeclaredAndChunkedBodies() {
        let declared = Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n".utf8)
        #expect(throws: HTTPParseError.bodyTooLarge(limit: 10)) { try parseRequests(declared, limits: Self.small) }
        let chunked = Array("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\n".utf8)
        #expect(throws: HTTPParseError.bodyTooLarge(limit: 10)) { try parseRequests(chunked, limits: Self.small) }
    }

    @Test(arguments: [
        (HTTPParseError.invalidChunkSize, 400), (.bodyTooLarge(limit: 1), 413), (.requestLineTooLong(limit: 1), 414),
        (.tooManyHeaders(limit: 1), 431), (.headerBlockTooLarge(limit: 1), 431),
        (.unsupportedTransferEncoding("gzip"), 501), (.unsupportedVersion("HTTP/2.0"), 505),
    ])
    func parseErrorsMapToTheStatusAServerAnswers(_ error: HTTPParseError, _ status: Int) {
        #expect(error.status == status)
    }

    @Test func errorDescriptionsNameTheProblem() {
        #expect(HTTPParseError.bodyTooLarge(limit: 10).description == "body larger than 10 bytes")
        #expect(
            HTTPParseError.invalidHeaderValue(name: "X").description
                == "header 'X' has a control character (CR, LF, NUL, ...) in its value")
    }

    @Test func parserKeepsFailingAfterAnError() {
        var parser = HTTPRequestParser()
        let bad = Array("G(T / HTTP/1.1\r\n\r\n".utf8)
        let good = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        #expect(throws: HTTPParseError.invalidMethod) { _ = try bad.withUnsafeBytes { try parser.next($0) } }
        #expect(throws: HTTPParseError.invalidMethod) { _ = try good.withUnsafeBytes { try parser.next($0) } }
    }
}
