import HTTP
import Testing

/// Inputs `scripts/fuzz` found (bench/fuzz/README.md), kept so that each fix stays fixed. Each input is the
/// fuzzer's own, byte for byte; the limits are the fuzz targets' small ones (fuzz/HTTPTranscript.swift).
struct FuzzRegressionTests {
    private static let fuzzLimits = HTTPLimits(
        maxRequestLine: 64, maxHeaderBlock: 256, maxHeaderCount: 8, maxBody: 1024)

    /// http-request finding 1: the request line is exactly `maxRequestLine` (64) bytes long.
    private static let lineOfExactlyTheLimit = Array(
        "GET 222222222T2222222222222222222222222222222222622222/ HTTP/1.0\r\nConjection:GE.0.0.LLLLLLL keep-aliuo*etDp: /*\r\n\r\n"
            .utf8)

    @Test func aRequestLineOfExactlyTheLimitIsAcceptedWhenItArrivesWhole() throws {
        let messages = try parseRequests(Self.lineOfExactlyTheLimit, limits: Self.fuzzLimits)
        #expect(messages.map(\.startLine) == ["GET 222222222T2222222222222222222222222222222222622222/ HTTP/1.0"])
    }

    @Test
    func aRequestLineOfExactlyTheLimitIsAcceptedWhenItsCRAndLFArriveApart() throws {
        let crIndex = 64
        #expect(Self.lineOfExactlyTheLimit[crIndex] == UInt8(ascii: "\r"))
        let whole = try parseRequests(Self.lineOfExactlyTheLimit, limits: Self.fuzzLimits)
        let split = try parseRequests(Self.lineOfExactlyTheLimit, splits: [crIndex + 1], limits: Self.fuzzLimits)
        #expect(split == whole)
        let bytewise = try parseRequests(
            Self.lineOfExactlyTheLimit, splits: Array(1..<Self.lineOfExactlyTheLimit.count), limits: Self.fuzzLimits)
        #expect(bytewise == whole)
    }

    /// http-response finding: a body read until close that passes `maxBody` failed at once when the bytes
    /// came whole, but was delivered up to the limit when they came one by one. Now both deliver the bytes
    /// up to the limit, then fail.
    @Test(arguments: [false, true])
    func anUntilCloseBodyPastTheLimitGivesTheSameEventsHoweverItIsSliced(bytewise: Bool) {
        let input = Array("HTTP/1.1 200 OK\r\n\r\n0123456789abcde".utf8)
        var parser = HTTPResponseParser(limits: HTTPLimits(maxBody: 10))
        var body: [UInt8] = []
        var failure: HTTPParseError?
        let slices: [ArraySlice<UInt8>] = bytewise ? input.indices.map { input[$0...$0] } : [input[...]]
        for slice in slices {
            let stopped = Array(slice).withUnsafeBytes { buffer -> Bool in
                var offset = 0
                while true {
                    do {
                        let (used, event) = try parser.next(UnsafeRawBufferPointer(rebasing: buffer[offset...]))
                        offset += used
                        switch event {
                        case .body(let part): body += part
                        case .needMore: return false
                        case .head, .end: break
                        }
                    } catch {
                        failure = error as? HTTPParseError
                        return true
                    }
                }
            }
            if stopped { break }
        }
        #expect(String(decoding: body, as: UTF8.self) == "0123456789")
        #expect(failure == .bodyTooLarge(limit: 10))
    }
}
