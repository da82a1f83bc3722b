import HTTP
import Platform
import Synchronization
import TestSupport
import Testing

/// `SocketChannel.queue` (bytes held until the next write or the end of the event) and the write that
/// sends queued bytes and new ones in one `sendmsg`: whatever the socket takes, the peer must see every
/// byte once, in order.
@Suite(.timeLimit(.minutes(1)))
struct SocketChannelWriteTests {
    /// A channel on a loop, its accepted socket's peer, and the loop's group.
    private struct Pair {
        let group: EventLoopGroup
        let loop: EventLoop
        let channel: SocketChannel
        let peer: TestSupport.RawConnection
        let delegate: IgnoringDelegate

        init() throws {
            let (listener, port) = try LoopbackListener.open()
            defer { Posix.close(listener) }
            peer = try TestSupport.RawConnection(port: port)
            let (fd, code) = Socket.accept(listener)
            guard fd >= 0 else { throw SystemError("accept", code: code) }
            group = try EventLoopGroup(threads: 1)
            loop = group.next()
            channel = SocketChannel(fd: fd, loop: loop)
            delegate = IgnoringDelegate()
            channel.delegate = delegate
        }

        /// Runs `body` on the loop thread and waits for it.
        func onLoop(_ body: @escaping @Sendable (SocketChannel) -> Void) async {
            let channel = self.channel
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                loop.execute {
                    body(channel)
                    continuation.resume()
                }
            }
        }

        func stop() async {
            await onLoop { $0.close() }
            group.shutdown()
        }
    }

    @Test func queuedBytesLeaveBeforeTheBytesOfTheNextWrite() async throws {
        let pair = try Pair()
        await pair.onLoop { channel in
            try? channel.register()
            channel.queue { $0.append(contentsOf: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n".utf8) }
            Array("hello".utf8).withUnsafeBytes { channel.write($0) }
        }
        let expected = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
        #expect(pair.peer.readAll(limit: expected.utf8.count) == expected)
        await pair.stop()
    }

    @Test func queuedBytesWithoutALaterWriteLeaveWhenTheEventEnds() async throws {
        let pair = try Pair()
        await pair.onLoop { channel in
            try? channel.register()
            channel.queue { $0.append(contentsOf: "HTTP/1.1 204 No Content\r\n\r\n".utf8) }
            #expect(channel.queued > 0, "nothing is written before the event ends")
        }
        let expected = "HTTP/1.1 204 No Content\r\n\r\n"
        #expect(pair.peer.readAll(limit: expected.utf8.count) == expected)
        await pair.stop()
    }

    @Test func aWriteLargerThanTheSocketTakesKeepsEveryByteInOrder() async throws {
        let pair = try Pair()
        let head = Array("HEAD-".utf8)
        // Far more than a loopback socket buffer takes at once, so the write after the queued head is
        // partial and the rest waits in the channel's buffer.
        let body = (0..<(6 << 20)).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        await pair.onLoop { channel in
            try? channel.register()
            channel.queue { $0.append(contentsOf: head) }
            body.withUnsafeBytes { channel.write($0) }
            #expect(channel.queued > 0, "the socket cannot have taken 6 MiB at once")
        }
        let received = pair.peer.readAll(limit: head.count + body.count)
        #expect(received.utf8.count == head.count + body.count)
        #expect(received == String(decoding: head + body, as: UTF8.self))
        await pair.stop()
    }
}

/// Ignores every channel event: these tests only write.
private final class IgnoringDelegate: SocketChannelDelegate, @unchecked Sendable {
    func channelConnected(_ channel: SocketChannel, code: Int32) {}
    func channelRead(_ channel: SocketChannel, _ bytes: UnsafeRawBufferPointer) {}
    func channelReadEnded(_ channel: SocketChannel) {}
    func channelFailed(_ channel: SocketChannel, code: Int32) {}
    func channelDrained(_ channel: SocketChannel) {}
}
