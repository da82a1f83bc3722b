import Platform

/// The far end of an in-memory `SocketChannel` (`SocketChannel(peer:loop:)`): it collects what the channel
/// writes, and a test puts into it what the channel reads next, a FIN or a reset, and how a connect ends.
///
/// It stands in for the kernel's socket pair so that protocol logic (server, client, proxy) runs without
/// descriptors: the channel's delegate sees the same calls in the same order as over a socket. Nothing
/// happens by itself: a test driver calls `SocketChannel.pollPeer()`, which does what an epoll readiness
/// event would. A peer takes every write at once (it never pushes back), so backpressure across real
/// sockets stays a socket test. Used on the channel's loop thread only.
package final class MemoryPeer {
    /// How a `connect(to:)` of the channel ends.
    package enum ConnectOutcome: Sendable, Equatable {
        /// The connection is made.
        case accept
        /// The connect fails with this `errno` (`ECONNREFUSED`, ...).
        case refuse(Int32)
        /// The connect never completes; only a timeout of the owner ends it.
        case hang
    }

    /// How a `connect(to:)` of the channel ends.
    package var connectOutcome: ConnectOutcome
    /// The channel this peer belongs to (set by `SocketChannel(peer:loop:)`).
    package internal(set) weak var channel: SocketChannel?
    /// Where the channel connected to, once it called `connect(to:)`.
    package internal(set) var connectedAddress: SocketAddress?
    /// Every byte the channel wrote, in order.
    package private(set) var received: [UInt8] = []
    /// Whether the channel sent FIN (shut its write side down).
    package internal(set) var receivedFIN = false
    /// Whether the channel closed its end.
    package internal(set) var isClosed = false

    private var inbound: [UInt8] = []
    private var inboundOffset = 0
    private var finSent = false
    private var resetCode: Int32?

    package init(connectOutcome: ConnectOutcome = .accept) {
        self.connectOutcome = connectOutcome
    }

    /// Bytes the channel will read.
    package func send(_ bytes: [UInt8]) {
        guard !finSent, resetCode == nil else { return }
        inbound.append(contentsOf: bytes)
    }

    /// Text the channel will read, as UTF-8.
    package func send(_ text: String) { send(Array(text.utf8)) }

    /// Sends FIN after the bytes sent so far: the channel reads end of file once it read them.
    package func sendFIN() { finSent = true }

    /// Resets the connection: the channel's next read (after bytes already sent) and its next write fail.
    package func reset(code: Int32 = Posix.ECONNRESET) {
        if resetCode == nil { resetCode = code }
    }

    /// Whether a read would return something now: bytes, end of file or the reset.
    var isReadable: Bool { inboundOffset < inbound.count || finSent || failure != nil }
    /// Whether the connection was reset or refused (epoll reports that even while reads are paused).
    var isReset: Bool { failure != nil }

    /// The `errno` of a refused connect or of a reset, which reads and writes then fail with.
    private var failure: Int32? {
        if case .refuse(let code) = connectOutcome { return code }
        return resetCode
    }

    /// `Socket.read` for the channel.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        if inboundOffset < inbound.count {
            let count = min(buffer.count, inbound.count - inboundOffset)
            inbound.withUnsafeBytes { source in
                buffer.copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: source[inboundOffset..<(inboundOffset + count)]))
            }
            inboundOffset += count
            if inboundOffset == inbound.count {
                inbound.removeAll(keepingCapacity: true)
                inboundOffset = 0
            }
            return .bytes(count)
        }
        if let failure { return .failed(failure) }
        return finSent ? .endOfFile : .wouldBlock
    }

    /// `Socket.write` for the channel: everything is taken, unless the connection was reset.
    func write(_ bytes: UnsafeRawBufferPointer) -> IOResult {
        if case .refuse(let code) = connectOutcome { return .failed(code) }
        if resetCode != nil { return .failed(Posix.EPIPE) }
        received.append(contentsOf: bytes)
        return .bytes(bytes.count)
    }

    /// The `errno` a finished connect reports (0: connected), nil while it is still under way.
    var connectResult: Int32? {
        switch connectOutcome {
        case .accept: 0
        case .refuse(let code): code
        case .hang: nil
        }
    }
}
