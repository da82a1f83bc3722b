import HTTP
import Platform
import Testing

/// A `SocketChannel` over a `MemoryPeer` behaves towards its delegate as over a socket; the proxy's
/// in-memory tests (Tests/ProxyTests/Memory*) rely on that.
struct MemoryChannelTests {
    /// Writes down every delegate call as a line.
    final class Recorder: SocketChannelDelegate {
        var events: [String] = []
        func channelConnected(_ channel: SocketChannel, code: Int32) { events.append("connected \(code)") }
        func channelRead(_ channel: SocketChannel, _ bytes: UnsafeRawBufferPointer) {
            events.append("read \(String(decoding: bytes, as: UTF8.self))")
        }
        func channelReadEnded(_ channel: SocketChannel) { events.append("end") }
        func channelFailed(_ channel: SocketChannel, code: Int32) { events.append("failed \(code)") }
        func channelDrained(_ channel: SocketChannel) { events.append("drained") }
    }

    private func channel(_ peer: MemoryPeer = MemoryPeer()) throws -> (SocketChannel, Recorder, EventLoop) {
        let loop = try EventLoop.manual()
        let channel = SocketChannel(peer: peer, loop: loop)
        let recorder = Recorder()
        channel.delegate = recorder
        try channel.register()
        return (channel, recorder, loop)
    }

    /// Polls until nothing is ready, running the loop's pending work after each event.
    private func settle(_ channel: SocketChannel, _ loop: EventLoop) {
        loop.runPending()
        while channel.pollPeer() { loop.runPending() }
    }

    @Test func writesReachThePeerAndQueuedBytesLeaveAfterTheEvent() throws {
        let peer = MemoryPeer()
        let (channel, _, loop) = try self.channel(peer)
        channel.queue { $0.append(contentsOf: "head ".utf8) }
        #expect(peer.received == [])
        channel.write(Array("body".utf8))
        #expect(String(decoding: peer.received, as: UTF8.self) == "head body")
        channel.queue { $0.append(contentsOf: " tail".utf8) }
        loop.runPending()
        #expect(String(decoding: peer.received, as: UTF8.self) == "head body tail")
        channel.shutdownWriteWhenFlushed()
        #expect(peer.receivedFIN)
        channel.close()
        #expect(peer.isClosed)
    }

    @Test func bytesThenFINAreReadOnlyWhileReadingIsOn() throws {
        let peer = MemoryPeer()
        let (channel, recorder, loop) = try self.channel(peer)
        #expect(!channel.pollPeer())
        channel.pauseReading()
        peer.send("hello")
        peer.sendFIN()
        settle(channel, loop)
        #expect(recorder.events == [])
        channel.resumeReading()
        settle(channel, loop)
        #expect(recorder.events == ["read hello", "end"])
        #expect(!channel.pollPeer())
    }

    /// When the peer resets, and whether the channel is reading then.
    @Test(arguments: [
        (paused: false, events: ["read partial", "failed \(Posix.ECONNRESET)"]),
        (paused: true, events: ["failed \(Posix.ECONNRESET)"]),
    ])
    func resetFailsTheChannelEvenWithReadingPaused(paused: Bool, events: [String]) throws {
        let peer = MemoryPeer()
        let (channel, recorder, loop) = try self.channel(peer)
        if paused { channel.pauseReading() }
        peer.send("partial")
        peer.reset()
        settle(channel, loop)
        #expect(recorder.events == events)
        #expect(channel.isClosed)
        #expect(peer.isClosed)
    }

    @Test func writeAfterAResetFailsWithBrokenPipe() throws {
        let peer = MemoryPeer()
        let (channel, recorder, _) = try self.channel(peer)
        channel.pauseReading()
        peer.reset()
        channel.write(Array("late".utf8))
        #expect(recorder.events == ["failed \(Posix.EPIPE)"])
        #expect(peer.received == [])
    }

    @Test(arguments: [
        (MemoryPeer.ConnectOutcome.accept, ["connected 0"], "request"),
        (.refuse(Posix.ECONNREFUSED), ["connected \(Posix.ECONNREFUSED)", "failed \(Posix.ECONNREFUSED)"], ""),
        (.hang, [], ""),
    ])
    func connectEndsAsThePeerSaysAndBytesWrittenMeanwhileFollowIt(
        _ outcome: MemoryPeer.ConnectOutcome, events: [String], delivered: String
    ) throws {
        let peer = MemoryPeer(connectOutcome: outcome)
        let (channel, recorder, loop) = try self.channel(peer)
        let address = try #require(SocketAddress(ip: "127.0.0.11", port: 8080))
        channel.connect(to: address)
        channel.write(Array("request".utf8))
        #expect(peer.received == [])
        settle(channel, loop)
        #expect(recorder.events == events)
        #expect(String(decoding: peer.received, as: UTF8.self) == delivered)
        #expect(peer.connectedAddress == address)
    }
}
