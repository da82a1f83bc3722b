import Platform

/// One accepted connection: parses requests, calls the handler, writes answers in order, enforces the
/// server's timeouts. Descriptor, outbound buffer, interest and closing are the shared connection core,
/// `SocketChannel`; the answers owed are `PipelinedAnswers`, filled by `ServerConnection+Answers.swift`.
// @unchecked: all mutable state is used on `loop`'s thread only; other threads reach it via `onLoop`.
final class ServerConnection: SocketChannelDelegate, @unchecked Sendable {
    let channel: SocketChannel
    let loop: EventLoop
    let context: ServerContext
    private let listener: Listener
    private var parser: HTTPRequestParser
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    var answers = PipelinedAnswers()
    /// No more requests are read: the last one asked to close, was rejected, or the peer sent FIN.
    var readingStopped = false
    /// The peer sent FIN with answers still owed: close once they are written.
    private var peerEnded = false
    /// The connection closes (or lingers) once everything queued is written.
    private var closeWhenFlushed = false
    private var lingering = false
    /// Set after a rejected request, when unread input may still arrive and a plain close would reset
    /// the connection before the peer reads our error answer.
    private var lingerOnClose = false
    /// Input is being processed: answers made meanwhile wait for the end of the event and leave together.
    var inRead = false
    private(set) var closed = false
    private var lastActivity: Int64
    private var headStartedAt: Int64?
    private var bodyStartedAt: Int64?
    /// Bytes read past the pipelining limit, parsed once earlier requests are answered.
    var held: [UInt8] = []
    private var timer: TimerHandle?
    /// When `timer` fires (loop time), so a sooner deadline can tell whether it must re-arm.
    private var timerDeadline = Int64.max

    init(fd: Int32, loop: EventLoop, context: ServerContext, listener: Listener) {
        channel = SocketChannel(fd: fd, loop: loop)
        self.loop = loop
        self.context = context
        self.listener = listener
        self.parser = HTTPRequestParser(limits: context.configuration.limits)
        lastActivity = loop.now
        headStartedAt = loop.now
        channel.delegate = self
    }

    /// Watches the socket and starts the timeout clock; call once, on the loop.
    /// - Throws: `SystemError` ("epoll_ctl"); the socket is closed.
    func start() throws {
        do {
            try channel.register()
        } catch {
            channel.close()
            throw error
        }
        armTimer(after: min(context.headerTimeout, context.idleTimeout))
    }

    /// Runs `body` on the loop thread: now if already there, else queued.
    func onLoop(_ body: @escaping @Sendable (ServerConnection) -> Void) {
        if loop.inEventLoop {
            body(self)
        } else {
            loop.execute { body(self) }
        }
    }

    // MARK: Reading

    func channelConnected(_ channel: SocketChannel, code: Int32) {}

    func channelRead(_ channel: SocketChannel, _ bytes: UnsafeRawBufferPointer) {
        lastActivity = loop.now
        inRead = true
        process(bytes)
        inRead = false
        updateReading()
    }

    /// Parses `bytes`, dispatching each whole request; input past the pipelining limit is held unparsed.
    func process(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while !readingStopped {
            if answers.count >= context.configuration.maxPipelinedRequests && parser.isIdle {
                // The limit counts requests parsed, not reads: the rest waits, unparsed.
                held.append(contentsOf: bytes[offset...])
                return
            }
            let used: Int
            let event: HTTPParserEvent<HTTPRequestHead>
            do {
                (used, event) = try parser.next(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            } catch {
                reject(error)
                return
            }
            offset += used
            switch event {
            case .needMore:
                if headStartedAt == nil && !parser.isIdle && !parser.isInBody { headStartedAt = loop.now }
                return
            case .head(let parsed):
                headStartedAt = nil
                if parser.isInBody {
                    bodyStartedAt = loop.now
                    // Re-armed only when the body deadline comes before the timer's: a timer per request
                    // would pile up cancelled entries in the loop's heap.
                    if timerDeadline > loop.now + context.bodyTimeout {
                        timer?.cancel()
                        armTimer(after: context.bodyTimeout)
                    }
                }
                if let length = parser.remainingBodyLength { body.reserveCapacity(length) }
                if parser.isInBody && parsed.expectsContinue && answers.isEmpty && channel.queued == 0 {
                    channel.queue { $0.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8) }
                }
                head = parsed
            case .body(let chunk):
                body.append(contentsOf: chunk)
            case .end:
                dispatch()
            }
        }
    }

    private func dispatch() {
        guard let head else { return }
        self.head = nil
        bodyStartedAt = nil
        let request = HTTPRequest(head: head, body: body)
        body = []
        let sequence = answers.open(for: head)
        if !head.keepAlive { readingStopped = true }
        context.handler.handle(request, responder: HTTPResponder(connection: self, sequence: sequence))
    }

    /// Answers a parse error with its status and a one-line body, then closes.
    private func reject(_ error: HTTPParseError) {
        readingStopped = true
        lingerOnClose = true
        if context.log.enabled(.debug) {
            context.log.debug("rejected request", ["status": "\(error.status)", "reason": error.description])
        }
        let text = "\(error.status) \(HTTPSerializer.reason(for: error.status)): \(error.description)\n"
        answers.appendFinal(
            HTTPResponse(
                status: error.status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8)))
        drain()
        updateReading()
    }

    func channelReadEnded(_ channel: SocketChannel) {
        if lingering { return close() }
        readingStopped = true
        // Nothing more arrives, so there is nothing to linger for.
        lingerOnClose = false
        if answers.isEmpty || answers.frontIsStream {
            // With nothing owed, or a stream the peer left, nobody reads the rest.
            close()
        } else {
            // A half-closed peer still reads: the answers it is owed (some may come later from other
            // threads) go out first; `drain` closes once the last one is written.
            peerEnded = true
            closeAfterFlushingIfNothingOwed()
        }
    }

    /// After the peer's FIN: closes once every answer owed is written.
    func closeAfterFlushingIfNothingOwed() {
        if peerEnded && answers.isEmpty { closeAfterFlushing() }
    }

    func channelFailed(_ channel: SocketChannel, code: Int32) {
        close()
    }

    func channelDrained(_ channel: SocketChannel) {}

    /// Reads while requests may be parsed: not stopped, under the pipelining limit, nothing held back.
    func updateReading() {
        guard !closed, !lingering else { return }
        if !readingStopped && answers.count < context.configuration.maxPipelinedRequests && held.isEmpty {
            channel.resumeReading()
        } else {
            channel.pauseReading()
        }
    }

    // MARK: Closing

    /// Closes, or starts lingering after a rejection, once everything queued is written.
    func closeAfterFlushing() {
        guard !closeWhenFlushed else { return }
        closeWhenFlushed = true
        channel.notifyWhenFlushed()
    }

    func channelFlushed(_ channel: SocketChannel) {
        guard closeWhenFlushed, !lingering, !closed else { return }
        guard lingerOnClose else { return close() }
        // After the last answer: read and drop what the peer still sends until it closes or the timer fires.
        lingering = true
        channel.shutdownWriteWhenFlushed()
        channel.discardInput()
        timer?.cancel()
        armTimer(after: context.lingerTimeout)
    }

    /// Closes the socket now; streams still open see `onClose`. Idempotent.
    func close() {
        guard !closed else { return }
        closed = true
        timer?.cancel()
        timer = nil
        channel.close()
        for writer in answers.removeAll() { writer.markClosed() }
        listener.forget(self)
    }

    // MARK: Timeouts

    private func armTimer(after nanoseconds: Int64) {
        timerDeadline = loop.now + nanoseconds
        timer = loop.schedule(after: .nanoseconds(nanoseconds)) { [self] in timerFired() }
    }

    private func timerFired() {
        timer = nil
        guard !closed else { return }
        if lingering {
            close()
            return
        }
        let now = loop.now
        if let started = bodyStartedAt, now >= started + context.bodyTimeout {
            bodyStartedAt = nil
            reject(.bodyTimeout)
            return
        }
        if !answers.isEmpty || channel.queued > 0 {
            // Waiting for the handler or for the peer to read: not idle.
            let bodyLeft = bodyStartedAt.map { $0 + context.bodyTimeout - now } ?? context.idleTimeout
            armTimer(after: min(context.idleTimeout, bodyLeft))
            return
        }
        var deadline = headStartedAt.map { $0 + context.headerTimeout } ?? lastActivity + context.idleTimeout
        if let started = bodyStartedAt { deadline = min(deadline, started + context.bodyTimeout) }
        if now >= deadline {
            context.log.trace("closing idle connection")
            close()
        } else {
            armTimer(after: deadline - now)
        }
    }
}
