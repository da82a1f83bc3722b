import Platform

/// One accepted connection: reads and parses requests, calls the handler, writes answers in order.
///
/// Pipelined requests each get a slot; answers fill slots from any thread (hopping to the loop) and
/// leave in slot order. A streamed answer holds the front slot until it finishes.
// @unchecked: all mutable state is used on `loop`'s thread only; other threads reach it via `onLoop`.
final class ServerConnection: EventLoopHandler, @unchecked Sendable {
    private enum Answer {
        case waiting
        case ready(HTTPResponse)
        case stream(StreamState)
    }

    private struct StreamState {
        var writer: HTTPBodyWriter
        var status: Int
        var headers: HTTPHeaders
        var buffered: [UInt8] = []
        var headWritten = false
        var finished = false
    }

    private struct Slot {
        var keepAlive: Bool
        var isHEAD: Bool
        var isHTTP10: Bool
        var answer: Answer = .waiting
    }

    let fd: Int32
    let loop: EventLoop
    private let context: ServerContext
    private let listener: Listener
    private var parser: HTTPRequestParser
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var slots: [Slot] = []
    private var firstSequence = 0
    private var out = OutboundBuffer()
    private var interest = IOEvents.readable
    private var readingStopped = false
    private var closeWhenFlushed = false
    private var lingering = false
    /// Set after a rejected request, when unread input may still arrive and a plain close would reset
    /// the connection before the peer reads our error answer.
    private var lingerOnClose = false
    private var inReadBatch = false
    private var closed = false
    private var lastActivity: Int64
    private var headStartedAt: Int64?
    private var bodyStartedAt: Int64?
    /// Bytes read past the pipelining limit, parsed once earlier requests are answered.
    private var held: [UInt8] = []
    private var timer: TimerHandle?
    /// When `timer` fires (loop time), so a sooner deadline can tell whether it must re-arm.
    private var timerDeadline = Int64.max

    init(fd: Int32, loop: EventLoop, context: ServerContext, listener: Listener) {
        self.fd = fd
        self.loop = loop
        self.context = context
        self.listener = listener
        self.parser = HTTPRequestParser(limits: context.configuration.limits)
        lastActivity = loop.now
        headStartedAt = loop.now
    }

    /// Starts the timeout clock; call once after registering.
    func start() {
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

    func handle(_ events: IOEvents) {
        if events.contains(.writable) { flush() }
        if !closed && (events.contains(.readable) || events.contains(.hangup)) {
            if lingering {
                discardInput()
            } else if readingStopped {
                // Nothing more is read; a hang-up here means nobody waits for what is still queued.
                if events.contains(.hangup) { close() }
            } else {
                readable()
            }
        }
    }

    // MARK: Reading

    private func readable() {
        inReadBatch = true
        defer {
            inReadBatch = false
            flush()
        }
        let buffer = loop.readBuffer
        while !closed && !readingStopped && slots.count < context.configuration.maxPipelinedRequests && held.isEmpty {
            switch Socket.read(fd, into: buffer) {
            case .bytes(let count):
                lastActivity = loop.now
                process(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                if count < buffer.count { return }
            case .endOfFile:
                peerClosed()
                return
            case .wouldBlock:
                return
            case .failed:
                close()
                return
            }
        }
    }

    private func process(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while !readingStopped {
            if slots.count >= context.configuration.maxPipelinedRequests && parser.isIdle {
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
                if parser.isInBody && parsed.expectsContinue && slots.isEmpty && out.isEmpty {
                    out.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8)
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
        let sequence = firstSequence + slots.count
        slots.append(Slot(keepAlive: head.keepAlive, isHEAD: head.method == "HEAD", isHTTP10: head.version.minor == 0))
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
        let response = HTTPResponse(
            status: error.status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
        slots.append(Slot(keepAlive: false, isHEAD: false, isHTTP10: false, answer: .ready(response)))
        drain()
    }

    private func peerClosed() {
        readingStopped = true
        if slots.isEmpty {
            close()
        } else if case .stream = slots[0].answer {
            // A streaming client that closes has gone away; nobody reads the rest.
            close()
        } else {
            closeWhenFlushed = true
        }
    }

    /// After the last answer: read and drop what the peer still sends until it closes or the timer fires.
    private func discardInput() {
        while true {
            switch Socket.read(fd, into: loop.readBuffer) {
            case .bytes: continue
            case .wouldBlock: return
            case .endOfFile, .failed:
                close()
                return
            }
        }
    }

    // MARK: Answers

    func complete(_ sequence: Int, with response: HTTPResponse) {
        let index = sequence - firstSequence
        guard !closed, index >= 0, index < slots.count, case .waiting = slots[index].answer else { return }
        slots[index].answer = .ready(response)
        if index == 0 { drainAndFlush() }
    }

    func startStream(_ sequence: Int, status: Int, headers: HTTPHeaders, writer: HTTPBodyWriter) {
        let index = sequence - firstSequence
        guard !closed, index >= 0, index < slots.count, case .waiting = slots[index].answer else {
            writer.markClosed()
            return
        }
        slots[index].answer = .stream(StreamState(writer: writer, status: status, headers: headers))
        if index == 0 { drainAndFlush() }
    }

    func streamWrite(_ sequence: Int, _ bytes: [UInt8]) {
        let index = sequence - firstSequence
        guard !closed, index >= 0, index < slots.count, case .stream(var stream) = slots[index].answer else { return }
        if index == 0 && stream.headWritten {
            out.append { HTTPSerializer.writeChunk(bytes, into: &$0) }
            guard out.count <= context.configuration.streamBufferLimit else {
                context.log.warning("closing stream: peer is not reading", ["queued": "\(out.count)"])
                close()
                return
            }
            if !inReadBatch { flush() }
        } else {
            HTTPSerializer.writeChunk(bytes, into: &stream.buffered)
            guard stream.buffered.count <= context.configuration.streamBufferLimit else {
                // A stream queued behind another that never ends would otherwise grow without bound.
                context.log.warning(
                    "closing stream: queued behind another response", ["queued": "\(stream.buffered.count)"])
                close()
                return
            }
            slots[index].answer = .stream(stream)
        }
    }

    func streamFinish(_ sequence: Int) {
        let index = sequence - firstSequence
        guard !closed, index >= 0, index < slots.count, case .stream(var stream) = slots[index].answer else { return }
        stream.finished = true
        slots[index].answer = .stream(stream)
        if index == 0 { drainAndFlush() }
    }

    private func drainAndFlush() {
        drain()
        parseHeld()
        if !inReadBatch { flush() }
    }

    /// Parses input held back at the pipelining limit once answers made room.
    private func parseHeld() {
        guard !held.isEmpty, !closed, !readingStopped, slots.count < context.configuration.maxPipelinedRequests else {
            return
        }
        let bytes = held
        held = []
        let wasInBatch = inReadBatch
        inReadBatch = true
        bytes.withUnsafeBytes { process($0) }
        inReadBatch = wasInBatch
        if held.isEmpty { updateInterest() }
    }

    /// Moves every answer that is ready, in order, into the output buffer.
    private func drain() {
        while let slot = slots.first {
            let connection = slot.keepAlive ? (slot.isHTTP10 ? "keep-alive" : nil) : "close"
            switch slot.answer {
            case .waiting:
                return
            case .ready(let response):
                let noBody = response.status < 200 || response.status == 204 || response.status == 304
                out.append { out in
                    HTTPSerializer.writeResponseHead(
                        status: response.status, headers: response.headers,
                        framing: noBody ? .none : .length(response.body.count), connection: connection, into: &out)
                    if !slot.isHEAD && !noBody { out.append(contentsOf: response.body) }
                }
            case .stream(var stream):
                if !stream.headWritten {
                    out.append { out in
                        HTTPSerializer.writeResponseHead(
                            status: stream.status, headers: stream.headers, framing: .chunked, connection: connection,
                            into: &out)
                    }
                    stream.headWritten = true
                }
                if !stream.buffered.isEmpty {
                    out.append(contentsOf: stream.buffered)
                    stream.buffered = []
                }
                guard stream.finished else {
                    slots[0].answer = .stream(stream)
                    return
                }
                out.append { HTTPSerializer.writeLastChunk(into: &$0) }
            }
            slots.removeFirst()
            firstSequence += 1
            if !slot.keepAlive {
                closeWhenFlushed = true
                readingStopped = true
                for rest in slots { if case .stream(let stream) = rest.answer { stream.writer.markClosed() } }
                slots.removeAll()
                return
            }
        }
    }

    // MARK: Writing and closing

    private func flush() {
        guard !closed else { return }
        if !out.isEmpty {
            if case .failed = out.write(to: fd) {
                close()
                return
            }
        }
        if out.isEmpty && closeWhenFlushed && !lingering {
            guard lingerOnClose else {
                close()
                return
            }
            lingering = true
            Socket.shutdownWrite(fd)
            timer?.cancel()
            armTimer(after: context.lingerTimeout)
        }
        updateInterest()
    }

    private func updateInterest() {
        guard !closed else { return }
        var wanted: IOEvents = []
        if lingering || (!readingStopped && slots.count < context.configuration.maxPipelinedRequests && held.isEmpty) {
            wanted.insert(.readable)
        }
        if !out.isEmpty { wanted.insert(.writable) }
        if wanted != interest {
            interest = wanted
            loop.setInterest(fd, wanted)
        }
    }

    /// Closes the socket now; streams still open see `onClose`. Idempotent.
    func close() {
        guard !closed else { return }
        closed = true
        timer?.cancel()
        timer = nil
        loop.deregister(fd)
        Posix.close(fd)
        for slot in slots { if case .stream(let stream) = slot.answer { stream.writer.markClosed() } }
        slots.removeAll()
        out.reset()
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
            flush()
            return
        }
        if !slots.isEmpty || !out.isEmpty {
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
