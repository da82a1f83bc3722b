import Platform

/// Decodes a chunked body (RFC 9112 §7.1) fed in arbitrary slices: sizes, extensions, data, trailers.
///
/// Extensions are validated and skipped; trailers are validated, counted against the head limits and
/// dropped, since nothing here needs them.
struct ChunkedDecoder {
    enum Output {
        /// Body bytes at this range of the input.
        case data(Range<Int>)
        case end
        case needMore
    }

    private enum Step {
        case size, sizeWhitespace, sizeExtension, sizeLF, data, dataCR, dataLF
        case trailerStart, trailerLine, trailerLF, lastLF
    }

    private var step = Step.size
    private var size = 0
    private var digits = 0
    private var lineBytes = 0
    private var remaining = 0
    private var total = 0
    private var trailerCount = 0

    /// Decodes from the start of `input`. Returns how many bytes were used and what they were.
    mutating func decode(
        _ input: UnsafeRawBufferPointer, limits: HTTPLimits
    ) throws(HTTPParseError) -> (consumed: Int, output: Output) {
        var index = 0
        while index < input.count {
            if step == .data {
                let count = min(remaining, input.count - index)
                remaining -= count
                if remaining == 0 { step = .dataCR }
                return (index + count, .data(index..<(index + count)))
            }
            let byte = input[index]
            index += 1
            switch step {
            case .size:
                if let value = ByteClass.hexValue(byte) {
                    guard digits < 15 else { throw .chunkSizeOverflow }
                    size = size << 4 | value
                    digits += 1
                } else {
                    guard digits > 0 else { throw .invalidChunkSize }
                    switch byte {
                    case UInt8(ascii: ";"): step = .sizeExtension
                    case ByteClass.space, ByteClass.tab: step = .sizeWhitespace
                    case ByteClass.cr: step = .sizeLF
                    default: throw .invalidChunkSize
                    }
                }
            case .sizeWhitespace:
                switch byte {
                case ByteClass.space, ByteClass.tab: break
                case UInt8(ascii: ";"): step = .sizeExtension
                case ByteClass.cr: step = .sizeLF
                default: throw .invalidChunkSize
                }
            case .sizeExtension:
                if byte == ByteClass.cr {
                    step = .sizeLF
                } else {
                    lineBytes += 1
                    guard ByteClass.fieldValue[Int(byte)], lineBytes <= limits.maxRequestLine else {
                        throw .invalidChunkExtension
                    }
                }
            case .sizeLF:
                guard byte == ByteClass.lf else { throw .invalidChunkSize }
                if size == 0 {
                    step = .trailerStart
                    lineBytes = 0
                } else {
                    total += size
                    guard total <= limits.maxBody else { throw .bodyTooLarge(limit: limits.maxBody) }
                    remaining = size
                    step = .data
                }
            case .dataCR:
                guard byte == ByteClass.cr else { throw .invalidChunkTerminator }
                step = .dataLF
            case .dataLF:
                guard byte == ByteClass.lf else { throw .invalidChunkTerminator }
                step = .size
                size = 0
                digits = 0
                lineBytes = 0
            case .trailerStart:
                if byte == ByteClass.cr {
                    step = .lastLF
                } else if ByteClass.isWhitespace(byte) {
                    throw .obsoleteLineFolding
                } else if ByteClass.token[Int(byte)] {
                    step = .trailerLine
                    try countTrailerByte(limits)
                } else {
                    throw .invalidTrailer
                }
            case .trailerLine:
                if byte == ByteClass.cr {
                    step = .trailerLF
                } else {
                    guard ByteClass.fieldValue[Int(byte)] else { throw .invalidTrailer }
                    try countTrailerByte(limits)
                }
            case .trailerLF:
                guard byte == ByteClass.lf else { throw .invalidTrailer }
                trailerCount += 1
                guard trailerCount <= limits.maxHeaderCount else { throw .tooManyHeaders(limit: limits.maxHeaderCount) }
                step = .trailerStart
            case .lastLF:
                guard byte == ByteClass.lf else { throw .invalidTrailer }
                self = ChunkedDecoder()
                return (index, .end)
            case .data:
                break
            }
        }
        return (index, .needMore)
    }

    private mutating func countTrailerByte(_ limits: HTTPLimits) throws(HTTPParseError) {
        lineBytes += 1
        guard lineBytes <= limits.maxHeaderBlock else { throw .headerBlockTooLarge(limit: limits.maxHeaderBlock) }
    }
}
