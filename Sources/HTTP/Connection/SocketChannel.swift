import Platform

/// The connection core every socket connection shares: a descriptor on one loop, its outbound buffer,
/// its epoll interest, pausing reads for backpressure, a lingering close (input discarded, the owner told
/// when the last byte is out), and closing exactly once.
///
/// The protocol logic (server, client, proxy sides) sits in the delegate; the channel only moves bytes.
/// Writes go to the socket directly when nothing is queued, so a streamed body is copied only when the
/// peer is slower than the producer. The delegate is held strongly until `close()`, which breaks the cycle.
// @unchecked: every member is used on `loop`'s thread only.
package final class SocketChannel: EventLoopHandler, @unchecked Sendable {
    package let fd: Int32
    package let loop: EventLoop
    package var delegate: (any SocketChannelDelegate)?
    /// Queued bytes above which `isOverHighWater` tells producers to pause.
    package var highWater = 256 * 1024
    /// Queued bytes below which a paused producer is told to resume (`channelDrained`).
    package var lowWater = 64 * 1024
    private var out = OutboundBuffer()
    private var interest = IOEvents(rawValue: 0)
    private var registered = false
    private var connecting = false
    private var wasOverHighWater = false
    package private(set) var readPaused = false
    package private(set) var isClosed = false
    /// Set by `discardInput`: bytes read are dropped instead of handed to the delegate.
    package private(set) var isDiscardingInput = false
    /// The peer's FIN was read; reading stays off for good.
    private var inputEnded = false
    /// Set by `notifyWhenFlushed`: `channelFlushed` is owed once nothing is queued.
    private var flushNotificationPending = false
    /// Set by `shutdownWriteWhenFlushed`: FIN goes out once the buffer drains.
    private var shutdownPending = false
    /// Whether the loop will call `flushDeferred` after the current event.
    private var flushScheduled = false
    /// The in-memory far end that replaces the descriptor (tests); nil for a socket.
    private let peer: MemoryPeer?

    package init(fd: Int32, loop: EventLoop) {
        self.fd = fd
        self.loop = loop
        peer = nil
    }

    /// A channel whose far end is `peer` instead of a socket: no descriptor, no epoll; a test driver
    /// calls `pollPeer()` where the loop would report readiness.
    package init(peer: MemoryPeer, loop: EventLoop) {
        fd = -1
        self.loop = loop
        self.peer = peer
        peer.channel = self
    }

    /// Bytes queued and not yet written.
    package var queued: Int { out.count }
    /// Whether a producer should stop feeding this channel until `channelDrained`.
    package var isOverHighWater: Bool { out.count > highWater }

    /// Starts watching the descriptor for reads.
    /// - Throws: `SystemError` ("epoll_ctl"); the descriptor stays open for the caller to close.
    package func register() throws {
        guard peer == nil else { return }
        try loop.register(fd, events: .readable, handler: self)
        registered = true
        interest = .readable
    }

    /// Starts a non-blocking connect; the outcome arrives through `channelConnected`, possibly before
    /// this returns.
    package func connect(to address: SocketAddress) {
        if let peer {
            // Always asynchronous, as a loopback connect usually is: `pollPeer()` finishes it.
            connecting = true
            peer.connectedAddress = address
            return
        }
        switch Socket.connect(fd, to: address) {
        case .connected:
            finishRegistration(events: .readable)
            delegate?.channelConnected(self, code: isClosed ? Posix.EBADF : 0)
        case .failed(let code):
            delegate?.channelConnected(self, code: code)
        case .inProgress:
            connecting = true
            finishRegistration(events: .writable)
        }
    }

    private func finishRegistration(events: IOEvents) {
        do {
            try loop.register(fd, events: events, handler: self)
            registered = true
            interest = events
        } catch {
            close()
        }
    }

    /// Queues `bytes` and writes what the socket takes now (after anything queued, in the same call).
    package func write(_ bytes: UnsafeRawBufferPointer) {
        guard !isClosed, !bytes.isEmpty else { return }
        if connecting {
            out.append(contentsOf: bytes)
            return
        }
        if let peer { return write(bytes, to: peer) }
        if !out.isEmpty {
            // Queued bytes (a head from `queue`) and these leave in one `sendmsg`, uncopied.
            let (result, written) = out.write(to: fd, then: bytes)
            if case .failed(let code) = result { return fail(code) }
            if written < bytes.count {
                out.append(contentsOf: bytes[written...])
                return afterQueueing()
            }
            return afterFlush()
        }
        // Fast path: straight to the socket, copying only what it does not take.
        var rest = bytes
        while !rest.isEmpty {
            switch Socket.write(fd, from: rest) {
            case .bytes(let n): rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            case .wouldBlock, .endOfFile:
                out.append(contentsOf: rest)
                return afterQueueing()
            case .failed(let code): return fail(code)
            }
        }
    }

    /// Queues bytes produced by `body` without writing them yet: they go out with the next `write` or,
    /// at the latest, when the loop finishes the event being handled. A response head and the body part
    /// that follows it in the same read then cost one system call and one TCP segment, not two.
    package func queue(_ body: (inout [UInt8]) -> Void) {
        guard !isClosed else { return }
        out.append(body)
        if !flushScheduled {
            flushScheduled = true
            loop.flushAfterEvent(self)
        }
    }

    /// Called by the loop for a channel that queued bytes during the event it just handled.
    func flushDeferred() {
        flushScheduled = false
        flush()
    }

    /// Queues bytes produced by `body` and writes what the socket takes now.
    package func write(_ body: (inout [UInt8]) -> Void) {
        guard !isClosed else { return }
        out.append(body)
        flush()
    }

    /// Queues `bytes` and writes what the socket takes now.
    package func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Stops reading (backpressure, or a request held back); bytes wait in the kernel.
    package func pauseReading() {
        guard !readPaused else { return }
        readPaused = true
        updateInterest()
    }

    /// Reads again after `pauseReading`.
    package func resumeReading() {
        guard readPaused else { return }
        readPaused = false
        updateInterest()
    }

    /// Sends FIN once everything queued is written, keeping the read side open.
    package func shutdownWriteWhenFlushed() {
        shutdownPending = true
        if out.isEmpty && !isClosed { shutdownWrite() }
    }

    /// Reads on (resuming if paused) but drops what the peer sends instead of handing it to the delegate;
    /// the end of input (`channelReadEnded`) and failures are still reported. For a lingering close: after
    /// a last answer, input left unread would make `close` send a reset that can destroy the answer before
    /// the peer reads it.
    package func discardInput() {
        guard !isClosed else { return }
        isDiscardingInput = true
        guard !inputEnded else { return }
        readPaused = false
        updateInterest()
    }

    /// Has the delegate hear `channelFlushed` once nothing is queued: when the last queued byte is written,
    /// or after the event being handled if nothing is queued now. Never from inside this call, so a delegate
    /// may close in `channelFlushed` without unwinding into itself. One call, one notification.
    package func notifyWhenFlushed() {
        guard !isClosed else { return }
        flushNotificationPending = true
        if !flushScheduled {
            flushScheduled = true
            loop.flushAfterEvent(self)
        }
    }

    /// Deregisters and closes the descriptor, drops queued bytes and the delegate; idempotent.
    package func close() {
        guard !isClosed else { return }
        isClosed = true
        if registered { loop.deregister(fd) }
        if let peer { peer.isClosed = true } else { Posix.close(fd) }
        out.reset()
        delegate = nil
    }

    package func handle(_ events: IOEvents) {
        if connecting {
            connecting = false
            let code = peer?.connectResult ?? Socket.pendingError(fd)
            if code != 0 {
                delegate?.channelConnected(self, code: code)
                return
            }
            updateInterest()
            delegate?.channelConnected(self, code: 0)
            if !out.isEmpty || flushNotificationPending { flush() }
            return
        }
        if events.contains(.writable) { flush() }
        guard !isClosed else { return }
        if !readPaused && (events.contains(.readable) || events.overlaps(.hangup)) {
            readable()
        } else if readPaused && events.overlaps(.hangup) {
            // Level-triggered HUP/ERR cannot be masked: with reads paused the peer is gone for good.
            fail(Posix.ECONNRESET)
        }
    }

    private func readable() {
        let buffer = loop.readBuffer
        // A bounded number of reads per wake-up keeps one busy peer from starving the loop's others.
        for _ in 0..<4 {
            guard !isClosed, !readPaused else { return }
            let result = if let peer { peer.read(into: buffer) } else { Socket.read(fd, into: buffer) }
            switch result {
            case .bytes(let count):
                if !isDiscardingInput {
                    delegate?.channelRead(self, UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                }
                if count < buffer.count { return }
            case .endOfFile:
                // Level-triggered epoll would report the FIN forever; stop asking for reads.
                inputEnded = true
                readPaused = true
                updateInterest()
                delegate?.channelReadEnded(self)
                return
            case .wouldBlock:
                return
            case .failed(let code):
                fail(code)
                return
            }
        }
    }

    /// Writes queued bytes; tells the delegate when a full buffer drained.
    package func flush() {
        guard !isClosed, !connecting else { return }
        if !out.isEmpty, case .failed(let code) = writeQueued() { return fail(code) }
        afterFlush()
    }

    private func afterFlush() {
        if wasOverHighWater && out.count < lowWater {
            wasOverHighWater = false
            delegate?.channelDrained(self)
        }
        if out.isEmpty && shutdownPending && !isClosed { shutdownWrite() }
        updateInterest()
        if flushNotificationPending && out.isEmpty && !isClosed {
            flushNotificationPending = false
            delegate?.channelFlushed(self)
        }
    }

    private func afterQueueing() {
        if out.count > highWater { wasOverHighWater = true }
        updateInterest()
    }

    private func updateInterest() {
        guard !isClosed, registered, !connecting else { return }
        if out.count > highWater { wasOverHighWater = true }
        var wanted = IOEvents(rawValue: 0)
        if !readPaused { wanted.insert(.readable) }
        if !out.isEmpty { wanted.insert(.writable) }
        if wanted != interest {
            interest = wanted
            loop.setInterest(fd, wanted)
        }
    }

    private func fail(_ code: Int32) {
        let delegate = self.delegate
        close()
        delegate?.channelFailed(self, code: code)
    }
}

// MARK: - In-memory peer

extension SocketChannel {
    /// For a channel made with `init(peer:loop:)`: does what the loop does when epoll reports the
    /// descriptor ready, for whatever the peer has made ready (a finished connect, bytes, FIN, a reset).
    /// - Returns: false when nothing was ready (a test driver has then reached a quiet state).
    package func pollPeer() -> Bool {
        guard let peer, !isClosed else { return false }
        var events: IOEvents = []
        if connecting {
            if peer.connectResult != nil { events.insert(.writable) }
        } else {
            if !readPaused && peer.isReadable { events.insert(.readable) }
            // Level-triggered HUP/ERR is reported whatever the interest.
            if peer.isReset && readPaused { events.insert(.hangup) }
            if !out.isEmpty { events.insert(.writable) }
        }
        guard !events.isEmpty else { return false }
        handle(events)
        return true
    }

    /// The queued bytes, then `bytes`, to the peer; the counterpart of the socket write path.
    private func write(_ bytes: UnsafeRawBufferPointer, to peer: MemoryPeer) {
        if !out.isEmpty, case .failed(let code) = writeQueued() { return fail(code) }
        if case .failed(let code) = peer.write(bytes) { return fail(code) }
        afterFlush()
    }

    /// Writes the outbound buffer to the socket or the peer.
    private func writeQueued() -> OutboundBuffer.Flush {
        guard let peer else { return out.write(to: fd) }
        return out.write(using: { peer.write($0) })
    }

    private func shutdownWrite() {
        if let peer { peer.receivedFIN = true } else { Socket.shutdownWrite(fd) }
    }
}
