import HTTP

/// libFuzzer entry: the bytes a client sends on one connection, parsed as pipelined requests.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzHTTPRequests(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    checkSlicings(bytes, HTTPRequestParser(limits: fuzzLimits)) { head in
        _ = (head.path, head.query, head.expectsContinue)
        return "\(head.method) \(head.target.debugDescription) \(head.version) keepAlive=\(head.keepAlive) "
            + describeHeaders(head.headers)
    }
    // Default limits too: the sizes the server really runs with.
    _ = transcript(bytes, HTTPRequestParser(), pieceSizes: [max(1, bytes.count)]) { "\($0.method) \($0.target)" }
    return 0
}
