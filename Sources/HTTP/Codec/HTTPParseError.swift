import Platform

/// Why bytes are not an acceptable HTTP/1.1 message; `status` is what a server answers before closing.
package enum HTTPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidRequestLine
    case invalidMethod
    case invalidTarget
    case invalidVersion
    case unsupportedVersion(String)
    case invalidStatusLine
    case requestLineTooLong(limit: Int)
    case headerBlockTooLarge(limit: Int)
    case tooManyHeaders(limit: Int)
    case bareLineFeed
    case obsoleteLineFolding
    case whitespaceBeforeColon
    case invalidHeaderName
    case invalidHeaderValue(name: String)
    case missingHost
    case duplicateHost
    case invalidContentLength
    case conflictingContentLength
    case contentLengthWithTransferEncoding
    case invalidTransferEncoding
    case unsupportedTransferEncoding(String)
    case invalidChunkSize
    case chunkSizeOverflow
    case invalidChunkExtension
    case invalidChunkTerminator
    case invalidTrailer
    case bodyTooLarge(limit: Int)
    case truncatedMessage
    /// Not a parse error but where the server reports it: the body did not arrive within the body timeout.
    case bodyTimeout

    /// The status a server answers with: 400, or 413, 414, 431, 501, 505 for limits and unsupported features.
    package var status: Int {
        switch self {
        case .requestLineTooLong: 414
        case .headerBlockTooLarge, .tooManyHeaders: 431
        case .bodyTooLarge: 413
        case .bodyTimeout: 408
        case .unsupportedTransferEncoding: 501
        case .unsupportedVersion: 505
        default: 400
        }
    }

    package var description: String {
        switch self {
        case .invalidRequestLine: "malformed request line; expected 'METHOD target HTTP/1.1' separated by single spaces"
        case .invalidMethod: "method is not a token (letters, digits and !#$%&'*+-.^_`|~ only)"
        case .invalidTarget: "request target contains spaces, control or non-ASCII bytes"
        case .invalidVersion: "malformed HTTP version; expected 'HTTP/1.1' or 'HTTP/1.0'"
        case .unsupportedVersion(let version): "unsupported HTTP version \(version); this server speaks HTTP/1.1"
        case .invalidStatusLine: "malformed status line; expected 'HTTP/1.1 200 Reason'"
        case .requestLineTooLong(let limit): "request line longer than \(limit) bytes"
        case .headerBlockTooLarge(let limit): "header block larger than \(limit) bytes"
        case .tooManyHeaders(let limit): "more than \(limit) header fields"
        case .bareLineFeed: "line ends with a bare LF; HTTP lines end with CRLF"
        case .obsoleteLineFolding: "header line starts with whitespace (obsolete line folding is not accepted)"
        case .whitespaceBeforeColon: "whitespace between header name and colon"
        case .invalidHeaderName: "header name is empty or not a token, or the line has no colon"
        case .invalidHeaderValue(let name): "header '\(name)' has a control character (CR, LF, NUL, ...) in its value"
        case .missingHost: "HTTP/1.1 request without a Host header"
        case .duplicateHost: "more than one Host header"
        case .invalidContentLength: "Content-Length is not a non-negative decimal number"
        case .conflictingContentLength: "several Content-Length headers with different values"
        case .contentLengthWithTransferEncoding: "both Content-Length and Transfer-Encoding present"
        case .invalidTransferEncoding: "Transfer-Encoding must end with a single 'chunked'"
        case .unsupportedTransferEncoding(let coding):
            "unsupported transfer coding '\(coding)'; only chunked is accepted"
        case .invalidChunkSize: "chunk size is not a hexadecimal number followed by CRLF"
        case .chunkSizeOverflow: "chunk size does not fit in 64 bits"
        case .invalidChunkExtension: "chunk extension contains a control character"
        case .invalidChunkTerminator: "chunk data is not followed by CRLF"
        case .invalidTrailer: "malformed trailer section after the last chunk"
        case .bodyTooLarge(let limit): "body larger than \(limit) bytes"
        case .truncatedMessage: "connection closed in the middle of a message"
        case .bodyTimeout: "request body not received in time"
        }
    }
}
