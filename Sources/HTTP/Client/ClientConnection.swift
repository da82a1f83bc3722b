import Platform

/// One client TCP connection on one loop: connects, sends one request at a time, parses the answer and
/// hands it back through a continuation. Descriptor, outbound buffer, interest and closing are the shared
/// connection core, `SocketChannel`; this type holds only the exchange logic.
// @unchecked: all mutable state is used on `loop`'s thread only; callers hop there with `onLoop`.
final class ClientConnection: SocketChannelDelegate, @unchecked Sendable {
    /// A reused connection died before any byte of the answer: the request may be retried once.
    struct Stale: Error {}

    /// Body pieces a streamed response may queue for a consumer that does not keep up.
    static let streamBufferChunks = 4096

    private enum Waiter {
        case response(CheckedContinuation<HTTPResponse, any Error>)
        case stream(CheckedContinuation<HTTPResponseStream, any Error>)
    }

    private enum Phase {
        case connecting(CheckedContinuation<Void, any Error>)
        case idle
        case exchange(Waiter)
        case streaming(AsyncThrowingStream<[UInt8], any Error>.Continuation)
        case closed
    }

    let channel: SocketChannel
    var fd: Int32 { channel.fd }
    var loop: EventLoop { channel.loop }
    let endpoint: Endpoint
    private let pool: ConnectionPool
    private var phase = Phase.idle
    private var parser: HTTPResponseParser
    private var timer: TimerHandle?
    private var exchangeID = 0
    private var cancelledID = 0
    private var reused = false
    private var received = false
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var timeout: Duration = .zero

    init(fd: Int32, loop: EventLoop, endpoint: Endpoint, pool: ConnectionPool, limits: HTTPLimits) {
        channel = SocketChannel(fd: fd, loop: loop)
        self.endpoint = endpoint
        self.pool = pool
        parser = HTTPResponseParser(limits: limits)
        channel.delegate = self
    }

    /// Runs `body` on the loop; false when the loop has stopped and `body` will never run.
    @discardableResult
    func onLoop(_ body: @escaping @Sendable (ClientConnection) -> Void) -> Bool {
        if loop.inEventLoop {
            body(self)
            return true
        }
        return loop.execute { body(self) }
    }

    var isClosed: Bool { if case .closed = phase { true } else { false } }

    // MARK: Connecting

    func connect(to address: SocketAddress, timeout: Duration, _ continuation: CheckedContinuation<Void, any Error>) {
        guard !isClosed else { return continuation.resume(throwing: CancellationError()) }
        phase = .connecting(continuation)
        timer = loop.schedule(after: timeout) { [self] in
            guard case .connecting = phase else { return }
            fail(HTTPClientError.connectTimeout(endpoint, timeout))
        }
        channel.connect(to: address)
    }

    func channelConnected(_ channel: SocketChannel, code: Int32) {
        guard case .connecting(let continuation) = phase else { return }
        timer?.cancel()
        timer = nil
        guard code == 0 else {
            phase = .idle
            close()
            return continuation.resume(throwing: HTTPClientError.connectFailed(endpoint, code: code))
        }
        phase = .idle
        continuation.resume()
    }

    // MARK: Exchanges

    /// Sends `request` and resumes `continuation` with the answer; `id` (unique per client) names the
    /// exchange for `cancel`.
    func send(
        _ request: [UInt8], isHEAD: Bool, timeout: Duration, reused: Bool, id: Int,
        _ continuation: CheckedContinuation<HTTPResponse, any Error>
    ) {
        start(request, isHEAD: isHEAD, timeout: timeout, reused: reused, id: id, waiter: .response(continuation))
    }

    func stream(
        _ request: [UInt8], timeout: Duration, id: Int,
        _ continuation: CheckedContinuation<HTTPResponseStream, any Error>
    ) {
        start(request, isHEAD: false, timeout: timeout, reused: false, id: id, waiter: .stream(continuation))
    }

    private func start(_ request: [UInt8], isHEAD: Bool, timeout: Duration, reused: Bool, id: Int, waiter: Waiter) {
        var refusal: (any Error)?
        if cancelledID == id {
            refusal = CancellationError()
        } else if isClosed {
            refusal = reused ? Stale() : HTTPClientError.connectionClosed(endpoint)
        } else if case .idle = phase {
            refusal = nil
        } else {
            refusal = HTTPClientError.connectionClosed(endpoint)
        }
        if let refusal {
            switch waiter {
            case .response(let continuation): continuation.resume(throwing: refusal)
            case .stream(let continuation): continuation.resume(throwing: refusal)
            }
            return
        }
        exchangeID = id
        self.reused = reused
        self.timeout = timeout
        received = false
        head = nil
        body = []
        parser.expectResponse(toHEAD: isHEAD)
        phase = .exchange(waiter)
        timer = loop.schedule(after: timeout) { [self] in
            guard exchangeID == id else { return }
            fail(HTTPClientError.requestTimeout(endpoint, timeout))
        }
        channel.write(request)
    }

    /// Cancels exchange `id` if it is still running (the task was cancelled).
    func cancel(_ id: Int) {
        guard exchangeID == id else {
            // The cancel overtook the send; `start` refuses it.
            cancelledID = id
            return
        }
        switch phase {
        case .exchange, .connecting, .streaming: fail(CancellationError())
        case .idle, .closed: break
        }
    }

    /// Cancels a connect in progress.
    func cancelConnect() {
        if case .connecting = phase { fail(CancellationError()) } else if exchangeID == 0 { close() }
    }

    func channelRead(_ channel: SocketChannel, _ bytes: UnsafeRawBufferPointer) {
        received = true
        process(bytes)
    }

    func channelReadEnded(_ channel: SocketChannel) {
        endOfFile()
    }

    func channelFailed(_ channel: SocketChannel, code: Int32) {
        if case .exchange = phase, !received, reused {
            fail(Stale())
        } else if code == Posix.ECONNRESET || code == Posix.EPIPE {
            fail(HTTPClientError.connectionClosed(endpoint))
        } else if case .exchange = phase, !received {
            fail(HTTPClientError.writeFailed(endpoint, code: code))
        } else {
            fail(HTTPClientError.connectFailed(endpoint, code: code))
        }
    }

    func channelDrained(_ channel: SocketChannel) {}

    private func process(_ bytes: UnsafeRawBufferPointer) {
        if case .idle = phase {
            // Bytes nobody asked for: the connection is out of step; drop it.
            close()
            return
        }
        var offset = 0
        while !isClosed {
            let used: Int
            let event: HTTPParserEvent<HTTPResponseHead>
            do {
                (used, event) = try parser.next(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            } catch {
                fail(HTTPClientError.parseError(endpoint, error))
                return
            }
            offset += used
            switch event {
            case .needMore: return
            case .head(let parsed): deliverHead(parsed)
            case .body(let chunk):
                if case .streaming(let continuation) = phase {
                    if case .dropped = continuation.yield(Array(chunk)) {
                        fail(
                            HTTPClientError.streamConsumerTooSlow(endpoint, chunks: ClientConnection.streamBufferChunks)
                        )
                        return
                    }
                } else {
                    body.append(contentsOf: chunk)
                }
            case .end:
                complete(leftover: offset < bytes.count)
                return
            }
        }
    }

    private func deliverHead(_ parsed: HTTPResponseHead) {
        if let length = parser.remainingBodyLength { body.reserveCapacity(length) }
        guard case .exchange(.stream(let continuation)) = phase else {
            head = parsed
            return
        }
        timer?.cancel()
        // Bounded like the store's watchers: a consumer that falls this far behind is ended with an error.
        let (stream, bodyContinuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream(
            bufferingPolicy: .bufferingOldest(ClientConnection.streamBufferChunks))
        phase = .streaming(bodyContinuation)
        bodyContinuation.onTermination = { [self] _ in onLoop { $0.close() } }
        continuation.resume(
            returning: HTTPResponseStream(
                status: parsed.status, headers: parsed.headers, body: stream,
                cancelAction: { [self] in onLoop { $0.close() } }))
    }

    private func complete(leftover: Bool) {
        timer?.cancel()
        timer = nil
        switch phase {
        case .streaming(let continuation):
            phase = .idle
            close()
            continuation.finish()
        case .exchange(.response(let continuation)):
            let response = HTTPResponse(status: head?.status ?? 0, headers: head?.headers ?? HTTPHeaders(), body: body)
            let keep = head?.keepAlive ?? false
            head = nil
            body = []
            phase = .idle
            if keep && !leftover && channel.queued == 0 {
                pool.checkin(self)
            } else {
                close()
            }
            continuation.resume(returning: response)
        default:
            close()
        }
    }

    private func endOfFile() {
        switch phase {
        case .exchange, .streaming:
            if let event = try? parser.finish(), case .end = event, received {
                complete(leftover: false)
            } else if !received && reused {
                fail(Stale())
            } else {
                fail(HTTPClientError.connectionClosed(endpoint))
            }
        default:
            close()
        }
    }

    /// Ends whatever is running with `error` and closes.
    func fail(_ error: any Error) {
        let previous = phase
        if !isClosed { phase = .idle }
        close()
        switch previous {
        case .connecting(let continuation): continuation.resume(throwing: error)
        case .exchange(.response(let continuation)): continuation.resume(throwing: error)
        case .exchange(.stream(let continuation)): continuation.resume(throwing: error)
        case .streaming(let continuation):
            if error is CancellationError { continuation.finish() } else { continuation.finish(throwing: error) }
        case .idle, .closed: break
        }
    }

    /// Closes the socket without resuming anyone (callers resume); idempotent.
    func close() {
        if isClosed { return }
        let previous = phase
        phase = .closed
        timer?.cancel()
        timer = nil
        channel.close()
        pool.forget(self)
        if case .streaming(let continuation) = previous { continuation.finish() }
    }
}
