import HTTP
import Platform
import Testing

struct ResponseParserTests {
    static let valid: [Sample] = [
        Sample("content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
        Sample(
            "chunked with trailer",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: v\r\n\r\n"),
        Sample(
            "interim 100 continue is skipped",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"),
        Sample("no content", "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
        Sample("read until close", "HTTP/1.0 200 OK\r\n\r\nstream until EOF"),
        Sample("status without reason", "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n"),
    ]

    @Test(arguments: valid)
    func validResponsesParseTheSameAtEverySplitPosition(_ sample: Sample) throws {
        let whole = try parseResponses(sample.bytes)
        #expect(!whole.isEmpty)
        for split in 1..<sample.bytes.count {
            #expect(try parseResponses(sample.bytes, splits: [split]) == whole, "split at \(split)")
        }
    }

    @Test func interimResponseIsSkippedAndFinalOneReturned() throws {
        let messages = try parseResponses(Self.valid[2].bytes)
        #expect(messages.map(\.startLine) == ["201 Created"])
        #expect(messages[0].body == Array("ok".utf8))
    }

    @Test func bodyWithoutLengthEndsWhenTheConnectionCloses() throws {
        let messages = try parseResponses(Self.valid[4].bytes)
        #expect(messages.map(\.startLine) == ["200 OK (until close)"])
        #expect(messages[0].body == Array("stream until EOF".utf8))
    }

    @Test func responseToHEADHasNoBodyDespiteContentLength() throws {
        let bytes = Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n".utf8)
        let messages = try parseResponses(bytes, toHEAD: true)
        #expect(messages.count == 1)
        #expect(messages[0].body.isEmpty)
    }

    @Test func truncatedBodyIsReportedAtEndOfStream() {
        var parser = HTTPResponseParser()
        let bytes = Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel".utf8)
        _ = try? bytes.withUnsafeBytes { try parser.next($0) }
        #expect(throws: HTTPParseError.truncatedMessage) { _ = try parser.finish() }
    }

    @Test(arguments: [
        ("HTTP/1.1 2000 OK\r\n\r\n", HTTPParseError.invalidStatusLine),
        ("HTTP/1.1 abc OK\r\n\r\n", .invalidStatusLine),
        ("HTTP/3.0 200 OK\r\n\r\n", .unsupportedVersion("HTTP/3.0")),
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            .contentLengthWithTransferEncoding
        ),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", .chunkSizeOverflow),
    ])
    func malformedResponsesAreRejected(_ text: String, _ error: HTTPParseError) {
        #expect(throws: error) { try parseResponses(Array(text.utf8)) }
    }

    @Test func serializedResponseParsesBack() throws {
        var out: [UInt8] = []
        HTTPSerializer.writeResponseHead(
            status: 200, headers: ["Transfer-Encoding": "chunked", "X-A": "1"], into: &out)
        HTTPSerializer.writeChunk(Array("hello ".utf8), into: &out)
        HTTPSerializer.writeChunk([], into: &out)
        HTTPSerializer.writeChunk(Array(repeating: UInt8(ascii: "z"), count: 300), into: &out)
        HTTPSerializer.writeLastChunk(into: &out)
        let messages = try parseResponses(out)
        #expect(messages.map(\.startLine) == ["200 OK"])
        #expect(messages[0].headers == ["transfer-encoding: chunked", "x-a: 1"])
        #expect(messages[0].body == Array("hello ".utf8) + Array(repeating: UInt8(ascii: "z"), count: 300))
    }

    @Test func serializedRequestParsesBack() throws {
        var out: [UInt8] = []
        HTTPSerializer.writeRequestHead(
            method: "POST", target: "/x?y", headers: ["Host": "h", "Content-Length": "2"], into: &out)
        out += Array("hi".utf8)
        let messages = try parseRequests(out)
        #expect(
            messages == [
                ParsedMessage(
                    startLine: "POST /x?y HTTP/1.1", headers: ["host: h", "content-length: 2"], body: Array("hi".utf8))
            ])
    }
}
