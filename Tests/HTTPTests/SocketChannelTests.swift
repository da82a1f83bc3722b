import HTTP
import Platform
import Synchronization
import TestSupport
import Testing

/// The connection core's lingering pieces, against a real loopback peer: discarding input and being told
/// when everything queued is written.
@Suite(.timeLimit(.minutes(1)))
struct SocketChannelTests {
    /// Records what the channel reports; with `closeOnEnd`, closes the channel at the end of input as a
    /// lingering owner does.
    final class Recorder: SocketChannelDelegate, Sendable {
        struct Events {
            var read: [UInt8] = []
            var readEnded = 0
            var failed: [Int32] = []
            var flushed = 0
        }

        let events = Mutex(Events())
        let closeOnEnd: Bool

        init(closeOnEnd: Bool = false) { self.closeOnEnd = closeOnEnd }

        var snapshot: Events { events.withLock { $0 } }

        func channelConnected(_ channel: SocketChannel, code: Int32) {}
        func channelRead(_ channel: SocketChannel, _ bytes: UnsafeRawBufferPointer) {
            events.withLock { $0.read.append(contentsOf: bytes) }
        }
        func channelReadEnded(_ channel: SocketChannel) {
            events.withLock { $0.readEnded += 1 }
            if closeOnEnd { channel.close() }
        }
        func channelFailed(_ channel: SocketChannel, code: Int32) { events.withLock { $0.failed.append(code) } }
        func channelDrained(_ channel: SocketChannel) {}
        func channelFlushed(_ channel: SocketChannel) { events.withLock { $0.flushed += 1 } }
    }

    /// A registered channel on its own loop, its blocking peer descriptor, and the recorder.
    struct Pair: Sendable {
        let group: EventLoopGroup
        let channel: SocketChannel
        let peer: Int32
        let recorder: Recorder

        init(closeOnEnd: Bool = false) throws {
            let (listener, port) = try LoopbackListener.open()
            defer { RawSocket.close(listener) }
            peer = try RawSocket.connect(port: port)
            let (fd, code) = Socket.accept(listener)
            guard fd >= 0 else { throw SystemError("accept", code: code) }
            group = try EventLoopGroup(threads: 1)
            channel = SocketChannel(fd: fd, loop: group.next())
            recorder = Recorder(closeOnEnd: closeOnEnd)
        }

        /// Runs `body` on the channel's loop and returns what it returns.
        func onLoop<T: Sendable>(_ body: @escaping @Sendable (SocketChannel) throws -> T) async throws -> T {
            let channel = channel
            return try await withCheckedThrowingContinuation { continuation in
                channel.loop.execute { continuation.resume(with: Result { try body(channel) }) }
            }
        }

        func start() async throws {
            let recorder = recorder
            try await onLoop { channel in
                channel.delegate = recorder
                try channel.register()
            }
        }

        func stop() {
            let channel = channel
            channel.loop.execute { channel.close() }
            group.shutdown()
            RawSocket.close(peer)
        }
    }

    @Test func discardedInputNeverReachesTheDelegateButItsEndStillDoes() async throws {
        let pair = try Pair()
        defer { pair.stop() }
        try await pair.start()
        RawSocket.send(pair.peer, Array("before".utf8))
        #expect(await eventually { pair.recorder.snapshot.read.count == 6 })
        // Paused first, as a server does while its last answer is written: discarding reads again.
        try await pair.onLoop { $0.pauseReading() }
        RawSocket.send(pair.peer, [UInt8](repeating: 0x78, count: 200_000))
        try await pair.onLoop { $0.discardInput() }
        RawSocket.shutdownWrite(pair.peer)
        #expect(await eventually { pair.recorder.snapshot.readEnded == 1 })
        let events = pair.recorder.snapshot
        #expect(String(decoding: events.read, as: UTF8.self) == "before")
        #expect(events.failed.isEmpty)
        #expect(try await pair.onLoop { $0.isDiscardingInput })
    }

    @Test func discardingAfterTheEndOfInputDoesNotReportTheEndAgain() async throws {
        let pair = try Pair()
        defer { pair.stop() }
        try await pair.start()
        RawSocket.shutdownWrite(pair.peer)
        #expect(await eventually { pair.recorder.snapshot.readEnded == 1 })
        try await pair.onLoop { $0.discardInput() }
        // Two loop turns: a wrongly resumed read would have seen the FIN again by then.
        try await pair.onLoop { _ in }
        try await pair.onLoop { _ in }
        #expect(pair.recorder.snapshot.readEnded == 1)
        #expect(try await pair.onLoop { $0.readPaused })
    }

    @Test func lingeringCloseLetsThePeerReadTheWholeAnswerDespiteInputLeftUnread() async throws {
        let pair = try Pair(closeOnEnd: true)
        defer { pair.stop() }
        try await pair.start()
        try await pair.onLoop { $0.pauseReading() }
        // Input the channel never reads: a plain close now would reset the connection.
        RawSocket.send(pair.peer, [UInt8](repeating: 0x6a, count: 100_000))
        let answer = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        try await pair.onLoop { channel in
            channel.write(answer)
            channel.shutdownWriteWhenFlushed()
            channel.discardInput()
        }
        let peer = pair.peer
        let received = await Task.detached { RawSocket.readToEnd(peer) }.value
        #expect(received.count == answer.count)
        #expect(received.elementsEqual(answer))
        RawSocket.close(peer)
        #expect(await eventually { try await pair.onLoop { $0.isClosed } })
        #expect(pair.recorder.snapshot.read.count == 0)
    }

    @Test func flushNotificationWaitsUntilTheLastQueuedByteIsWritten() async throws {
        let pair = try Pair()
        defer { pair.stop() }
        try await pair.start()
        let size = 32 * 1024 * 1024
        // The peer reads nothing yet, so most of this stays queued.
        let queued = try await pair.onLoop { channel in
            channel.write([UInt8](repeating: 0x61, count: size))
            channel.notifyWhenFlushed()
            return channel.queued
        }
        #expect(queued > 0)
        try await pair.onLoop { _ in }
        try await pair.onLoop { _ in }
        #expect(pair.recorder.snapshot.flushed == 0)
        let peer = pair.peer
        let received = await Task.detached { RawSocket.read(peer, count: size) }.value
        #expect(received == size)
        #expect(await eventually { pair.recorder.snapshot.flushed == 1 })
        // Queued bytes are flushed after the event: a notification still pending would be reported again.
        try await pair.onLoop { channel in channel.queue { $0.append(contentsOf: "more".utf8) } }
        #expect(await Task.detached { RawSocket.read(peer, count: 4) }.value == 4)
        try await pair.onLoop { _ in }
        #expect(pair.recorder.snapshot.flushed == 1, "one call, one notification")
    }

    @Test func flushNotificationWithNothingQueuedComesAfterTheEventNotDuringTheCall() async throws {
        let pair = try Pair()
        defer { pair.stop() }
        try await pair.start()
        let recorder = pair.recorder
        let duringCall = try await pair.onLoop { channel in
            channel.notifyWhenFlushed()
            return recorder.snapshot.flushed
        }
        #expect(duringCall == 0)
        #expect(await eventually { recorder.snapshot.flushed == 1 })
    }
}
