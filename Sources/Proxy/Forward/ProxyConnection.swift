import HTTP
import Platform

/// One client connection of the proxy: parses its requests, routes each by Host, streams it to an
/// instance and streams the answer back; one request at a time (pipelined ones wait their turn, unread).
///
/// Backpressure both ways: while the upstream's outbound buffer is over the high-water mark the client
/// is not read, and while the client's is, the upstream is not read.
// @unchecked: used on `worker.loop`'s thread only.
final class ProxyConnection: SocketChannelDelegate, UpstreamExchange, @unchecked Sendable {
    enum DeadlineKind {
        case header, idle, body, connect, upstream, tunnel, linger
    }

    /// The request in flight. A class: the connection updates it field by field as the exchange moves on,
    /// and a struct this size was copied (and every reference in it retained) at each step.
    final class Exchange {
        let head: HTTPRequestHead
        let app: String
        let route: AppRoute
        var instanceIndex: Int
        /// Instances tried before `instanceIndex` (empty until a retry, so the usual request allocates none).
        var triedBefore: [Int] = []
        var staleRetries = 0
        var upstream: UpstreamConnection?
        let body: RequestBody
        var requestEnded = false
        var bodyForwarded = false
        var responseStarted = false
        var status = 0
        var framing = ClientFraming.none
        var keepAlive: Bool
        let isHEAD: Bool
        let upgrade: String?

        init(
            head: HTTPRequestHead, app: String, route: AppRoute, instanceIndex: Int, body: RequestBody,
            keepAlive: Bool, isHEAD: Bool, upgrade: String?
        ) {
            self.head = head
            self.app = app
            self.route = route
            self.instanceIndex = instanceIndex
            self.body = body
            self.keepAlive = keepAlive
            self.isHEAD = isHEAD
            self.upgrade = upgrade
        }

        var instance: Instance { route.instances[instanceIndex] }
        /// Where the instance listens, read without copying the rest of `instance` (its strings' counts are
        /// shared by every worker).
        var socketAddress: SocketAddress { route.instances[instanceIndex].socketAddress }
        /// Every instance tried so far, the current one last.
        var tried: [Int] { triedBefore + [instanceIndex] }
        var isIdempotent: Bool {
            switch head.method {
            case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE": true
            default: false
            }
        }
    }

    let channel: SocketChannel
    unowned(unsafe) let worker: ProxyWorker
    var parser: HTTPRequestParser
    let clientIP: String
    var exchange: Exchange?
    var stash: [UInt8] = []
    var parsingPaused = false
    var tunnel = false
    var closing = false
    var closed = false
    var clientEnded = false
    var deadline: Int64
    var deadlineKind = DeadlineKind.header

    convenience init(fd: Int32, worker: ProxyWorker) {
        self.init(
            channel: SocketChannel(fd: fd, loop: worker.loop), clientIP: Socket.peerAddress(fd)?.ip ?? "unknown",
            worker: worker)
    }

    /// A client on `channel` (an in-memory one in tests).
    init(channel: SocketChannel, clientIP: String, worker: ProxyWorker) {
        self.channel = channel
        channel.highWater = worker.shared.configuration.highWater
        channel.lowWater = worker.shared.configuration.highWater / 4
        self.worker = worker
        parser = HTTPRequestParser(limits: worker.shared.configuration.limits)
        self.clientIP = clientIP
        deadline = worker.loop.now + worker.timeouts.header
        channel.delegate = self
    }

    var shared: ProxyShared { worker.shared }

    func setDeadline(_ kind: DeadlineKind) {
        deadlineKind = kind
        let now = worker.loop.now
        switch kind {
        case .header: deadline = now + worker.timeouts.header
        case .idle: deadline = now + worker.timeouts.idle
        case .body: deadline = now + worker.timeouts.body
        case .connect: deadline = now + worker.timeouts.connect
        case .upstream: deadline = now + worker.timeouts.upstream
        case .tunnel: deadline = now + worker.timeouts.tunnel
        case .linger: deadline = now + worker.timeouts.linger
        }
    }

    // MARK: Client side

    func channelConnected(_ channel: SocketChannel, code: Int32) {}

    func channelRead(_ channel: SocketChannel, _ bytes: UnsafeRawBufferPointer) {
        if closing || closed { return }  // lingering: drop what the client still sends
        if tunnel {
            guard let upstream = exchange?.upstream else { return close() }
            upstream.write(bytes)
            if upstream.isOverHighWater { channel.pauseReading() }
            setDeadline(.tunnel)
            return
        }
        if parsingPaused {
            stash.append(contentsOf: bytes)
            holdInput()
            return
        }
        feed(bytes)
    }

    /// Runs the parser over `input`, stopping (and keeping the rest) whenever the request in flight
    /// cannot take more.
    private func feed(_ input: UnsafeRawBufferPointer) {
        var offset = 0
        while !closed && !closing {
            if mustHoldInput {
                parsingPaused = true
                if offset < input.count { stash.append(contentsOf: input[offset...]) }
                holdInput()
                return
            }
            let used: Int
            let event: HTTPParserEvent<HTTPRequestHead>
            do {
                (used, event) = try parser.next(UnsafeRawBufferPointer(rebasing: input[offset...]))
            } catch {
                return reject(error)
            }
            offset += used
            switch event {
            case .needMore:
                if exchange == nil && !parser.isIdle && deadlineKind == .idle { setDeadline(.header) }
                return
            case .head(let head):
                start(head)
            case .body(let bytes):
                forwardBody(bytes)
            case .end:
                endOfRequest()
            }
        }
    }

    /// Whether the parser must stop: a request is waiting for its answer (a pipelined one waits its turn),
    /// the upstream is still connecting, or its buffer is full.
    private var mustHoldInput: Bool {
        guard let exchange else { return false }
        if exchange.requestEnded || tunnel { return true }
        guard let upstream = exchange.upstream else { return false }
        return upstream.isConnecting || upstream.isOverHighWater
    }

    /// Bytes kept unparsed before the socket itself stops being read.
    private static let holdLimit = 64 * 1024

    /// Keeps reading into the stash up to `holdLimit`; only then stops reading the socket. Most clients send
    /// nothing while they wait for an answer, so this saves two `epoll_ctl` calls per request.
    private func holdInput() {
        if stash.count >= ProxyConnection.holdLimit { channel.pauseReading() }
    }

    /// Parses what was held back, then reads the socket again if nothing holds it.
    func resumeParsing() {
        guard parsingPaused, !closed, !closing, !mustHoldInput else { return }
        parsingPaused = false
        // Fed even when empty: the parser may owe an event (the end of a body-less request).
        let held = stash
        stash = []
        held.withUnsafeBytes { feed($0) }
        guard !parsingPaused, !closed, !closing else { return }
        if !clientEnded {
            channel.resumeReading()
        } else if let exchange, !exchange.requestEnded {
            // Everything the client sent before its FIN is parsed and the request is still incomplete.
            close()
        }
    }

    private func start(_ head: HTTPRequestHead) {
        let isHEAD = head.method == "HEAD"
        let keepAlive = head.keepAlive && !worker.draining
        let body: RequestBody
        if let length = parser.remainingBodyLength {
            body = .length(length)
        } else {
            body = parser.isChunkedBody ? .chunked : .none
        }
        let matcher = worker.matcher
        guard let app = head.headers.withFirstValue(of: "host", { matcher.app(fromHost: $0) }),
            let route = worker.table.route(app)
        else {
            return respondLocally(
                status: 404, message: "no app is served at this host", app: "-", isHEAD: isHEAD, keepAlive: keepAlive,
                bodyPending: body != .none)
        }
        guard let index = worker.pick(route, excluding: []) else {
            return respondLocally(
                status: 503, message: "no live instance of \(app)", app: app, isHEAD: isHEAD, keepAlive: keepAlive,
                bodyPending: body != .none)
        }
        let upgrade = ForwardRules.upgradeProtocol(of: head)
        if head.expectsContinue && body != .none {
            channel.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
        exchange = Exchange(
            head: head, app: app, route: route, instanceIndex: index, body: body, keepAlive: keepAlive, isHEAD: isHEAD,
            upgrade: upgrade)
        send()
    }

    /// Sends the head (and later the body) to the exchange's instance on a pooled or new connection.
    func send() {
        guard let exchange else { return }
        let (found, code) = worker.pool.connection(to: exchange.socketAddress)
        guard let upstream = found else {
            return upstreamFailedBeforeResponse(.connectFailed(code: code), reused: false)
        }
        upstream.begin(for: self, isHEAD: exchange.isHEAD)
        exchange.upstream = upstream
        if upstream.isConnecting {
            setDeadline(.connect)
            worker.pool.connect(upstream)
            // The connect may have failed right away and moved the exchange on.
            guard let current = self.exchange?.upstream, current === upstream, !upstream.isClosed else { return }
        } else {
            setDeadline(exchange.body == .none ? .upstream : .body)
        }
        // Written straight into the upstream's buffer (again on a retry), and queued: a body part read
        // with the head leaves in the same system call.
        let clientIP = clientIP
        upstream.queue { out in
            ForwardRules.writeRequestHead(
                exchange.head, body: exchange.body, clientIP: clientIP, upgrade: exchange.upgrade, into: &out)
        }
        // A retry on a pooled connection gets no connect callback: take up the held body here.
        resumeParsing()
    }

    private func forwardBody(_ bytes: UnsafeRawBufferPointer) {
        guard let exchange, let upstream = exchange.upstream else { return }  // answered already: drop
        exchange.bodyForwarded = true
        if exchange.body == .chunked {
            upstream.write { out in
                appendHex(bytes.count, to: &out)
                out.append(contentsOf: [0x0D, 0x0A])
                out.append(contentsOf: bytes)
                out.append(contentsOf: [0x0D, 0x0A])
            }
        } else {
            upstream.write(bytes)
        }
        if !exchange.responseStarted { setDeadline(.body) }
    }

    private func endOfRequest() {
        guard let exchange else { return }
        exchange.requestEnded = true
        if exchange.body == .chunked, let upstream = exchange.upstream {
            upstream.write { $0.append(contentsOf: "0\r\n\r\n".utf8) }
        }
        if exchange.upstream == nil {
            // The answer went out before the body ended (an early error); the connection is done.
            return finish()
        }
        if !exchange.responseStarted && deadlineKind != .connect { setDeadline(.upstream) }
    }

    func channelReadEnded(_ channel: SocketChannel) {
        clientEnded = true
        if tunnel {
            exchange?.upstream?.shutdownWriteWhenFlushed()
            return
        }
        guard let exchange, !closing else { return close() }
        exchange.keepAlive = false
        if !exchange.requestEnded && !parsingPaused {
            // The client gave up in the middle of its request.
            return close()
        }
        // Either the request is complete, or its end is held back unparsed (the upstream is still
        // connecting): `resumeParsing` decides once the held bytes are parsed.
    }

    func channelFailed(_ channel: SocketChannel, code: Int32) {
        close()
    }

    func channelDrained(_ channel: SocketChannel) {
        exchange?.upstream?.resumeReading()
    }

    // MARK: Upstream side

    func upstreamConnected(_ connection: UpstreamConnection) {
        guard let exchange, exchange.upstream === connection else { return }
        setDeadline(exchange.requestEnded || exchange.body == .none ? .upstream : .body)
        resumeParsing()
    }

    func upstreamHead(_ connection: UpstreamConnection, _ head: HTTPResponseHead, framing: ResponseFraming) {
        guard let exchange, exchange.upstream === connection else { return }
        exchange.responseStarted = true
        exchange.status = head.status
        if head.status == 101 {
            guard exchange.upgrade != nil else {
                return failResponse(status: 502, message: "upstream switched protocols unasked")
            }
            channel.write { out in
                ForwardRules.writeResponseHead(
                    head, framing: .none, connection: "upgrade", upgrade: head.headers["upgrade"], into: &out)
            }
            worker.metrics.count(app: exchange.app, status: 101)
            tunnel = true
            setDeadline(.tunnel)
            // Bytes the client sent after its upgrade request belong to the tunnel.
            if !stash.isEmpty {
                let held = stash
                stash = []
                held.withUnsafeBytes { connection.write($0) }
            }
            parsingPaused = false
            if !clientEnded { channel.resumeReading() }
            return
        }
        exchange.framing = ForwardRules.clientFraming(
            status: head.status, upstream: framing, requestIsHEAD: exchange.isHEAD,
            clientVersion: exchange.head.version)
        if exchange.framing == .untilClose { exchange.keepAlive = false }
        let connectionField: String?
        if !exchange.keepAlive || !exchange.requestEnded {
            connectionField = "close"
            exchange.keepAlive = false
        } else {
            connectionField = exchange.head.version.minor == 0 ? "keep-alive" : nil
        }
        let framingOut = exchange.framing
        // Queued: it leaves with the first body part (or after this event, for a body-less answer).
        channel.queue { out in
            ForwardRules.writeResponseHead(
                head, framing: framingOut, connection: connectionField, upgrade: nil, into: &out)
        }
        setDeadline(.upstream)
    }

    func upstreamBody(_ connection: UpstreamConnection, _ bytes: UnsafeRawBufferPointer) {
        guard let exchange, exchange.upstream === connection else { return }
        if exchange.framing == .chunked {
            channel.write { out in
                appendHex(bytes.count, to: &out)
                out.append(contentsOf: [0x0D, 0x0A])
                out.append(contentsOf: bytes)
                out.append(contentsOf: [0x0D, 0x0A])
            }
        } else {
            channel.write(bytes)
        }
        if channel.isOverHighWater { connection.pauseReading() }
        setDeadline(.upstream)
    }

    func upstreamEnd(_ connection: UpstreamConnection) {
        guard let exchange, exchange.upstream === connection else { return }
        if exchange.framing == .chunked { channel.write(Array("0\r\n\r\n".utf8)) }
        worker.health.recordSuccess(exchange.socketAddress)
        worker.metrics.count(app: exchange.app, status: exchange.status)
        exchange.upstream = nil
        finish()
    }

    func upstreamFailed(_ connection: UpstreamConnection, _ failure: UpstreamFailure) {
        guard let exchange, exchange.upstream === connection else { return }
        self.exchange?.upstream = nil
        if tunnel { return close() }
        guard !exchange.responseStarted else {
            worker.recordFailure(exchange.instance)
            return close()  // the client sees a cut-short response, as from the upstream itself
        }
        upstreamFailedBeforeResponse(failure, reused: connection.isReused)
    }

    func upstreamDrained(_ connection: UpstreamConnection) {
        if tunnel {
            if !clientEnded { channel.resumeReading() }
            return
        }
        resumeParsing()
    }

    func upstreamTunnelRead(_ connection: UpstreamConnection, _ bytes: UnsafeRawBufferPointer) {
        channel.write(bytes)
        if channel.isOverHighWater { connection.pauseReading() }
        setDeadline(.tunnel)
    }

    func upstreamTunnelEnded(_ connection: UpstreamConnection) {
        channel.shutdownWriteWhenFlushed()
        if clientEnded { close() }
    }
}

private func appendHex(_ value: Int, to out: inout [UInt8]) {
    let digits: [UInt8] = Array("0123456789abcdef".utf8)
    var shift = (Int.bitWidth - value.leadingZeroBitCount + 3) / 4 * 4
    if shift == 0 { shift = 4 }
    while shift > 0 {
        shift -= 4
        out.append(digits[(value >> shift) & 0xf])
    }
}
