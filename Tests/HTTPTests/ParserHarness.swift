import HTTP
import Platform

/// What a parser produced for a whole input, in a form tests can compare.
struct ParsedMessage: Equatable, CustomStringConvertible {
    var startLine: String
    var headers: [String]
    var body: [UInt8]

    var description: String { "\(startLine) \(headers) body=\(String(decoding: body, as: UTF8.self))" }
}

/// Feeds `input` to a fresh parser in pieces cut at `splits`, collecting every complete message.
func parseRequests(_ input: [UInt8], splits: [Int] = [], limits: HTTPLimits = HTTPLimits()) throws(HTTPParseError)
    -> [ParsedMessage]
{
    var parser = HTTPRequestParser(limits: limits)
    return try feed(input, splits: splits, parser: &parser) { head in
        "\(head.method) \(head.target) \(head.version)"
    }
}

func parseResponses(_ input: [UInt8], splits: [Int] = [], toHEAD: Bool = false, limits: HTTPLimits = HTTPLimits())
    throws(HTTPParseError) -> [ParsedMessage]
{
    var parser = HTTPResponseParser(limits: limits)
    parser.expectResponse(toHEAD: toHEAD)
    var messages = try feed(input, splits: splits, parser: &parser) { head in "\(head.status) \(head.reason)" }
    if case .end = try parser.finish(), var last = messages.last {
        last.startLine += " (until close)"
        messages[messages.count - 1] = last
    }
    return messages
}

private func feed<Head>(
    _ input: [UInt8], splits: [Int], parser: inout HTTPParser<Head>, startLine: (Head) -> String
) throws(HTTPParseError) -> [ParsedMessage] {
    var messages: [ParsedMessage] = []
    var current: ParsedMessage?
    var cuts = [0] + splits.filter { $0 > 0 && $0 < input.count } + [input.count]
    cuts.sort()
    for (from, to) in zip(cuts, cuts.dropFirst()) {
        let piece = Array(input[from..<to])
        var offset = 0
        let result = piece.withUnsafeBytes { buffer in
            Result { () throws(HTTPParseError) in
                loop: while true {
                    let (used, event) = try parser.next(UnsafeRawBufferPointer(rebasing: buffer[offset...]))
                    offset += used
                    switch event {
                    case .needMore: break loop
                    case .head(let head):
                        let fields = head.headersForTest.map { "\($0.name.lowercased()): \($0.value)" }
                        current = ParsedMessage(startLine: startLine(head), headers: fields, body: [])
                    case .body(let bytes): current?.body.append(contentsOf: bytes)
                    case .end:
                        if let message = current { messages.append(message) }
                        current = nil
                    }
                }
            }
        }
        try result.get()
    }
    if let current { messages.append(current) }
    return messages
}

extension HTTPParsableHead {
    var headersForTest: HTTPHeaders {
        if let request = self as? HTTPRequestHead { return request.headers }
        if let response = self as? HTTPResponseHead { return response.headers }
        return HTTPHeaders()
    }
}
