import Platform

/// Why `HTTPClient` could not deliver a request or its response.
package enum HTTPClientError: Error, Sendable, CustomStringConvertible {
    case invalidURL(String)
    case unsupportedScheme(url: String, scheme: String)
    case resolveFailed(Endpoint, message: String)
    /// The TCP connection was refused or failed; `code` is the `errno`.
    case connectFailed(Endpoint, code: Int32)
    case connectTimeout(Endpoint, Duration)
    case requestTimeout(Endpoint, Duration)
    /// The server closed the connection before a complete response arrived.
    case connectionClosed(Endpoint)
    case parseError(Endpoint, HTTPParseError)
    case writeFailed(Endpoint, code: Int32)
    /// The consumer of a streamed response fell `chunks` pieces behind; the stream was ended.
    case streamConsumerTooSlow(Endpoint, chunks: Int)
    case shutdown

    package var description: String {
        switch self {
        case .invalidURL(let url): "invalid URL '\(url)'; expected http://host:port"
        case .unsupportedScheme(let url, let scheme):
            "unsupported scheme '\(scheme)' in '\(url)'; only http is supported (put a TLS proxy in front for https)"
        case .resolveFailed(let endpoint, let message): "resolve \(endpoint.host): \(message)"
        case .connectFailed(let endpoint, let code): "connect \(endpoint): \(Posix.describe(errno: code))"
        case .connectTimeout(let endpoint, let timeout): "connect \(endpoint): no answer within \(timeout)"
        case .requestTimeout(let endpoint, let timeout):
            "request to \(endpoint): no complete response within \(timeout)"
        case .connectionClosed(let endpoint): "\(endpoint) closed the connection before a complete response"
        case .parseError(let endpoint, let error): "bad response from \(endpoint): \(error.description)"
        case .writeFailed(let endpoint, let code): "send to \(endpoint): \(Posix.describe(errno: code))"
        case .streamConsumerTooSlow(let endpoint, let chunks):
            "stream from \(endpoint) ended: the reader fell \(chunks) pieces behind"
        case .shutdown: "HTTP client was shut down"
        }
    }
}
