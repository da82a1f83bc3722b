@testable import HTTP

/// libFuzzer entry: a chunked body (sizes, extensions, data, trailers), decoded whole and in slices;
/// the data and the outcome must not depend on how the bytes were sliced.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzChunked(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = HTTPLimits(maxRequestLine: 64, maxHeaderBlock: 256, maxHeaderCount: 8, maxBody: 1024)
    let whole = decode(bytes, pieceSize: max(1, bytes.count), limits: limits)
    let single = decode(bytes, pieceSize: 1, limits: limits)
    require(whole == single, "whole: \(whole)\nbyte by byte: \(single)")
    let uneven = decode(bytes, pieceSize: Int(bytes.last ?? 0) % 9 + 2, limits: limits)
    require(whole == uneven, "whole: \(whole)\nin pieces: \(uneven)")
    return 0
}

/// The decoded bytes, each end, and the error or the bytes left over.
private func decode(_ bytes: [UInt8], pieceSize: Int, limits: HTTPLimits) -> [String] {
    var decoder = ChunkedDecoder()
    var out: [String] = []
    var body: [UInt8] = []
    bytes.withUnsafeBytes { all in
        var start = 0
        while start < all.count {
            let end = min(all.count, start + pieceSize)
            var offset = start
            while offset < end {
                let slice = UnsafeRawBufferPointer(rebasing: all[offset..<end])
                let result: (consumed: Int, output: ChunkedDecoder.Output)
                do {
                    result = try decoder.decode(slice, limits: limits)
                } catch {
                    out.append("data \(body)")
                    out.append("error \(error)")
                    return
                }
                require(result.consumed > 0 && result.consumed <= slice.count, "consumed \(result.consumed)")
                switch result.output {
                case .data(let range):
                    require(range.upperBound <= result.consumed, "data \(range) past consumed \(result.consumed)")
                    body.append(contentsOf: slice[range])
                case .end:
                    out.append("data \(body)")
                    body = []
                    out.append("end")
                case .needMore:
                    require(result.consumed == slice.count, "needMore with bytes unused")
                }
                offset += result.consumed
            }
            start = end
        }
        out.append("data \(body)")
        out.append("incomplete")
    }
    return out
}

/// Like `precondition`, but the message survives `-O` (the fuzz build), so a crash report says what broke.
private func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
