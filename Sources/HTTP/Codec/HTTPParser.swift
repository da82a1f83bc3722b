import Platform

/// Parses requests from a client.
package typealias HTTPRequestParser = HTTPParser<HTTPRequestHead>
/// Parses responses from a server; tell it about HEAD requests with `expectResponse(toHEAD:)`.
package typealias HTTPResponseParser = HTTPParser<HTTPResponseHead>

/// What the parser found at the front of the bytes it was given.
package enum HTTPParserEvent<Head: HTTPParsableHead> {
    case head(Head)
    /// Body bytes; the pointer is into the caller's input and valid only until the caller's buffer changes.
    case body(UnsafeRawBufferPointer)
    /// The message is complete; the next bytes start a new one (pipelining).
    case end
    /// Every byte given was used; call again with more.
    case needMore
}

/// An incremental HTTP/1.1 message parser: feed it any slices of a byte stream, get events back.
///
/// A head that arrives whole in one slice is parsed in place; only a head split across slices is copied
/// into an internal buffer, bounded by `HTTPLimits`. Body bytes are handed out as pointers into the input
/// and never copied here. After an error the parser keeps throwing it: the stream is unusable.
///
/// ```swift
/// var offset = 0
/// loop: while true {
///     let (used, event) = try parser.next(UnsafeRawBufferPointer(rebasing: input[offset...]))
///     offset += used
///     switch event { case .needMore: break loop; case .head(let h): ...; case .body(let b): ...; case .end: ... }
/// }
/// ```
package struct HTTPParser<Head: HTTPParsableHead> {
    private enum State {
        case head
        case fixedBody(remaining: Int)
        case chunked
        /// `received`: body bytes so far, capped at `limits.maxBody`.
        case untilClose(received: Int)
        case failed(HTTPParseError)
    }

    package let limits: HTTPLimits
    private var state = State.head
    private var chunked = ChunkedDecoder()
    private var scanner = HeadScanner()
    private var pending: [UInt8] = []
    private var requestWasHEAD = false

    package init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// Whether the parser sits between messages with no byte of the next one seen.
    package var isIdle: Bool {
        if case .head = state { return pending.isEmpty }
        return false
    }

    /// Whether the current message is in its body (the head was returned, `.end` was not).
    package var isInBody: Bool {
        switch state {
        case .fixedBody, .chunked, .untilClose: true
        case .head, .failed: false
        }
    }

    /// Body bytes still expected for a Content-Length body; nil otherwise.
    package var remainingBodyLength: Int? {
        if case .fixedBody(let remaining) = state, remaining > 0 { return remaining }
        return nil
    }

    /// Whether the current message's body is chunked (the head was returned, `.end` was not).
    package var isChunkedBody: Bool {
        if case .chunked = state { return true }
        return false
    }

    /// Whether the current message's body runs until the connection closes (responses only).
    package var isUntilCloseBody: Bool {
        if case .untilClose = state { return true }
        return false
    }

    /// For responses: whether the next response answers a HEAD request, so it has no body.
    package mutating func expectResponse(toHEAD: Bool) {
        requestWasHEAD = toHEAD
    }

    /// Parses from the start of `input`.
    /// - Throws: `HTTPParseError`; every later call throws it again.
    // Specialized here: callers in other modules (the proxy) would otherwise run the generic body, which
    // looks up the parser's type metadata at run time on every call.
    @_specialize(where Head == HTTPRequestHead)
    @_specialize(where Head == HTTPResponseHead)
    package mutating func next(_ input: UnsafeRawBufferPointer) throws(HTTPParseError) -> (
        consumed: Int, event: HTTPParserEvent<Head>
    ) {
        do {
            return try step(input)
        } catch {
            state = .failed(error)
            throw error
        }
    }

    /// Tells the parser the stream ended. Returns `.end` when that completes a read-until-close body,
    /// `.needMore` when the parser was idle.
    /// - Throws: `HTTPParseError.truncatedMessage` when a message was cut short.
    package mutating func finish() throws(HTTPParseError) -> HTTPParserEvent<Head> {
        switch state {
        case .untilClose:
            state = .head
            return .end
        case .head where pending.isEmpty:
            return .needMore
        case .failed(let error):
            throw error
        default:
            state = .failed(.truncatedMessage)
            throw .truncatedMessage
        }
    }

    private mutating func step(_ input: UnsafeRawBufferPointer) throws(HTTPParseError) -> (
        consumed: Int, event: HTTPParserEvent<Head>
    ) {
        switch state {
        case .failed(let error):
            throw error
        case .head:
            return try parseHead(input)
        case .fixedBody(let remaining):
            if remaining == 0 {
                state = .head
                return (0, .end)
            }
            guard !input.isEmpty else { return (0, .needMore) }
            let count = min(remaining, input.count)
            state = .fixedBody(remaining: remaining - count)
            return (count, .body(UnsafeRawBufferPointer(rebasing: input[0..<count])))
        case .chunked:
            let (consumed, output) = try chunked.decode(input, limits: limits)
            switch output {
            case .data(let range): return (consumed, .body(UnsafeRawBufferPointer(rebasing: input[range])))
            case .needMore: return (consumed, .needMore)
            case .end:
                state = .head
                return (consumed, .end)
            }
        case .untilClose(let received):
            guard !input.isEmpty else { return (0, .needMore) }
            // A body read until close has no declared size; the same limit as a declared one applies. Bytes up
            // to the limit are delivered and the first byte past it fails, however the input is sliced.
            let room = limits.maxBody - received
            guard room > 0 else { throw .bodyTooLarge(limit: limits.maxBody) }
            let count = min(room, input.count)
            state = .untilClose(received: received + count)
            return (count, .body(UnsafeRawBufferPointer(rebasing: input[0..<count])))
        }
    }

    private mutating func parseHead(_ input: UnsafeRawBufferPointer) throws(HTTPParseError) -> (
        consumed: Int, event: HTTPParserEvent<Head>
    ) {
        if pending.isEmpty {
            scanner = HeadScanner(checkMethod: Head.self == HTTPRequestHead.self)
            if let end = try scanner.scan(input, limits: limits) {
                let headBytes = UnsafeRawBufferPointer(rebasing: input[scanner.headStart..<end])
                return try finishHead(headBytes, consumed: end, rest: UnsafeRawBufferPointer(rebasing: input[end...]))
            }
            pending.append(contentsOf: input)
            return (input.count, .needMore)
        }
        let before = pending.count
        pending.append(contentsOf: input)
        var scanner = self.scanner
        let limits = self.limits
        let requestWasHEAD = self.requestWasHEAD
        let scanned = pending.withUnsafeBytes { buffer in
            Result { () throws(HTTPParseError) -> Int? in try scanner.scan(buffer, limits: limits) }
        }
        self.scanner = scanner
        guard let end = try scanned.get() else { return (input.count, .needMore) }
        let headStart = scanner.headStart
        let parsed = pending.withUnsafeBytes { buffer in
            Result { () throws(HTTPParseError) in
                try Head.parse(
                    UnsafeRawBufferPointer(rebasing: buffer[headStart..<end]), limits: limits,
                    requestWasHEAD: requestWasHEAD)
            }
        }
        let head = try parsed.get()
        pending.removeAll(keepingCapacity: false)
        let consumed = end - before
        return try deliver(head, consumed: consumed, rest: UnsafeRawBufferPointer(rebasing: input[consumed...]))
    }

    private mutating func finishHead(
        _ bytes: UnsafeRawBufferPointer, consumed: Int, rest: UnsafeRawBufferPointer
    ) throws(HTTPParseError) -> (consumed: Int, event: HTTPParserEvent<Head>) {
        let head = try Head.parse(bytes, limits: limits, requestWasHEAD: requestWasHEAD)
        return try deliver(head, consumed: consumed, rest: rest)
    }

    private mutating func deliver(
        _ parsed: (Head, BodyFraming), consumed: Int, rest: UnsafeRawBufferPointer
    ) throws(HTTPParseError) -> (consumed: Int, event: HTTPParserEvent<Head>) {
        switch parsed.1 {
        case .informational:
            // 1xx interim responses carry nothing the caller needs; the final response follows.
            let (more, event) = try parseHead(rest)
            return (consumed + more, event)
        case .none: state = .fixedBody(remaining: 0)
        case .length(let length): state = .fixedBody(remaining: length)
        case .chunked: state = .chunked
        case .untilClose: state = .untilClose(received: 0)
        }
        return (consumed, .head(parsed.0))
    }
}

/// Finds the end of a head (the empty line) while enforcing line-end rules and size limits, resuming
/// where it stopped when more bytes arrive.
struct HeadScanner {
    /// Where the start line begins, after any empty lines a client sent between messages.
    private(set) var headStart = 0
    private var position = 0
    private var lineStart = 0
    private var sawStartLine = false
    private var methodChecked: Bool

    /// - Parameter checkMethod: reject a request whose first bytes are not a method token right away,
    ///   so TLS handshakes and binary garbage fail fast instead of waiting for a line end.
    init(checkMethod: Bool = false) {
        methodChecked = !checkMethod
    }

    /// Returns the index just past the head's final CRLF, or nil when more bytes are needed.
    mutating func scan(_ buffer: UnsafeRawBufferPointer, limits: HTTPLimits) throws(HTTPParseError) -> Int? {
        while position < buffer.count {
            if methodChecked {
                // Past the method only line ends matter: jump to the next LF.
                guard let lf = ByteSearch.firstIndex(of: ByteClass.lf, in: buffer, from: position) else {
                    position = buffer.count
                    break
                }
                position = lf + 1
            } else {
                let byte = buffer[position]
                position += 1
                if byte != ByteClass.cr && byte != ByteClass.lf {
                    if byte == ByteClass.space {
                        methodChecked = true
                    } else if !ByteClass.token[Int(byte)] {
                        throw .invalidMethod
                    }
                }
                guard byte == ByteClass.lf else { continue }
            }
            let lf = position - 1
            guard lf > lineStart, buffer[lf - 1] == ByteClass.cr else { throw .bareLineFeed }
            let lineLength = lf - 1 - lineStart
            if !sawStartLine {
                if lineLength == 0 {
                    headStart = position
                } else {
                    guard lineLength <= limits.maxRequestLine else {
                        throw .requestLineTooLong(limit: limits.maxRequestLine)
                    }
                    sawStartLine = true
                }
            } else if lineLength == 0 {
                guard position - headStart <= limits.maxHeaderBlock else {
                    throw .headerBlockTooLarge(limit: limits.maxHeaderBlock)
                }
                return position
            }
            lineStart = position
        }
        if !sawStartLine {
            var pending = buffer.count - lineStart
            // A CR at the end may begin the line's CRLF, which the whole-line check above does not count either.
            if pending > 0 && buffer[buffer.count - 1] == ByteClass.cr { pending -= 1 }
            if pending > limits.maxRequestLine { throw .requestLineTooLong(limit: limits.maxRequestLine) }
        }
        if buffer.count - headStart > limits.maxHeaderBlock { throw .headerBlockTooLarge(limit: limits.maxHeaderBlock) }
        return nil
    }
}
