import HTTP

/// libFuzzer entry: the bytes a server sends on one connection, parsed as responses. The first byte
/// says whether they answer a HEAD request (then they have no body); the rest are the stream.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzHTTPResponses(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var parser = HTTPResponseParser(limits: fuzzLimits)
    parser.expectResponse(toHEAD: (bytes.first ?? 0) & 1 == 1)
    checkSlicings(Array(bytes.dropFirst()), parser) { head in
        "\(head.status) \(head.reason.debugDescription) \(head.version) keepAlive=\(head.keepAlive) "
            + describeHeaders(head.headers)
    }
    return 0
}
