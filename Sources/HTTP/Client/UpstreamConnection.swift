import Platform

/// How a response body is delimited on the wire.
package enum ResponseFraming: Sendable, Equatable {
    /// No body: HEAD, 1xx, 204, 304, or Content-Length 0.
    case none
    case length(Int)
    case chunked
    /// The body ends when the server closes.
    case untilClose
}

/// Why an upstream exchange ended early.
package enum UpstreamFailure: Sendable, Equatable {
    case connectFailed(code: Int32)
    /// The connection was reset or closed; `responseStarted` says whether any response byte arrived.
    case closed(responseStarted: Bool)
    case badResponse(HTTPParseError)
}

/// The side of an exchange that receives an upstream's answer; every call comes on the loop thread.
package protocol UpstreamExchange: AnyObject {
    func upstreamConnected(_ connection: UpstreamConnection)
    /// The final response head (a 101 too; other 1xx are skipped).
    func upstreamHead(_ connection: UpstreamConnection, _ head: HTTPResponseHead, framing: ResponseFraming)
    /// De-chunked body bytes, valid during the call only.
    func upstreamBody(_ connection: UpstreamConnection, _ bytes: UnsafeRawBufferPointer)
    /// The response is complete; the connection is back in its pool or closed, and must not be used.
    func upstreamEnd(_ connection: UpstreamConnection)
    /// The exchange failed; the connection is closed.
    func upstreamFailed(_ connection: UpstreamConnection, _ failure: UpstreamFailure)
    /// The request bytes queued for the upstream fell below its low-water mark.
    func upstreamDrained(_ connection: UpstreamConnection)
    /// Raw bytes after a 101 answer (a tunnel), valid during the call only.
    func upstreamTunnelRead(_ connection: UpstreamConnection, _ bytes: UnsafeRawBufferPointer)
    /// The upstream closed its side of a tunnel.
    func upstreamTunnelEnded(_ connection: UpstreamConnection)
}

/// One keep-alive connection to an upstream server, owned by one event loop and its `UpstreamPool`.
///
/// It runs one exchange at a time for whoever checked it out, streaming the response head and body
/// parts to that `UpstreamExchange` as they arrive: no continuation, no lock, no buffered body.
// @unchecked: used on `channel.loop`'s thread only.
package final class UpstreamConnection: SocketChannelDelegate, @unchecked Sendable {
    private enum Phase {
        case connecting
        case idle
        case exchange
        case tunnel
        case closed
    }

    package let channel: SocketChannel
    package let address: SocketAddress
    private unowned(unsafe) let pool: UpstreamPool
    private var phase = Phase.connecting
    private var exchange: (any UpstreamExchange)?
    private var parser: HTTPResponseParser
    private var responseStarted = false
    private var responseKeepAlive = false
    private var requestKeepAlive = true
    /// Whether this connection already carried an exchange (a stale keep-alive may have died meanwhile).
    package private(set) var isReused = false
    /// Loop time when the connection went idle, for the pool's idle timeout.
    var idleSince: Int64 = 0

    init(channel: SocketChannel, address: SocketAddress, pool: UpstreamPool, limits: HTTPLimits) {
        self.channel = channel
        self.address = address
        self.pool = pool
        parser = HTTPResponseParser(limits: limits)
    }

    package var isClosed: Bool { if case .closed = phase { true } else { false } }
    package var isConnecting: Bool { if case .connecting = phase { true } else { false } }

    /// Starts an exchange for `exchange`: the caller then writes the request with `write`.
    /// - Parameters:
    ///   - isHEAD: the response has no body whatever its head says.
    ///   - keepAlive: whether the connection may be reused after this exchange.
    package func begin(for exchange: any UpstreamExchange, isHEAD: Bool, keepAlive: Bool = true) {
        self.exchange = exchange
        parser.expectResponse(toHEAD: isHEAD)
        responseStarted = false
        requestKeepAlive = keepAlive
        if case .idle = phase {
            phase = .exchange
            isReused = true
        }
    }

    /// Sends request bytes (queued while connecting).
    package func write(_ bytes: UnsafeRawBufferPointer) { channel.write(bytes) }
    /// Queues request bytes to leave with the next `write` or after the current event.
    package func queue(_ body: (inout [UInt8]) -> Void) { channel.queue(body) }
    /// Sends request bytes written by `body`.
    package func write(_ body: (inout [UInt8]) -> Void) { channel.write(body) }
    /// Whether the request bytes queued exceed the high-water mark: stop feeding until `upstreamDrained`.
    package var isOverHighWater: Bool { channel.isOverHighWater }
    package func pauseReading() { channel.pauseReading() }
    package func resumeReading() { channel.resumeReading() }

    /// Ends the exchange and closes without telling the exchange (it asked).
    package func abort() {
        exchange = nil
        close()
    }

    /// Sends FIN in a tunnel when the client closed its side.
    package func shutdownWriteWhenFlushed() { channel.shutdownWriteWhenFlushed() }

    func close() {
        guard !isClosed else { return }
        phase = .closed
        channel.close()
        pool.forget(self)
    }

    // MARK: SocketChannelDelegate

    package func channelConnected(_ channel: SocketChannel, code: Int32) {
        guard code == 0 else { return failAndClose(.connectFailed(code: code)) }
        phase = exchange == nil ? .idle : .exchange
        exchange?.upstreamConnected(self)
    }

    package func channelRead(_ channel: SocketChannel, _ bytes: UnsafeRawBufferPointer) {
        switch phase {
        case .exchange: parse(bytes)
        case .tunnel: exchange?.upstreamTunnelRead(self, bytes)
        case .idle, .connecting:
            // Bytes nobody asked for: the connection is out of step.
            close()
        case .closed: break
        }
    }

    private func parse(_ bytes: UnsafeRawBufferPointer) {
        responseStarted = true
        var offset = 0
        while case .exchange = phase {
            let used: Int
            let event: HTTPParserEvent<HTTPResponseHead>
            do {
                (used, event) = try parser.next(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            } catch {
                return failAndClose(.badResponse(error))
            }
            offset += used
            switch event {
            case .needMore: return
            case .head(let head):
                responseKeepAlive = head.keepAlive
                let framing = framing(of: head)
                if head.status == 101 {
                    phase = .tunnel
                    exchange?.upstreamHead(self, head, framing: .none)
                    if offset < bytes.count, case .tunnel = phase {
                        exchange?.upstreamTunnelRead(self, UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                    }
                    return
                }
                exchange?.upstreamHead(self, head, framing: framing)
            case .body(let chunk):
                exchange?.upstreamBody(self, chunk)
            case .end:
                finishExchange(leftover: offset < bytes.count)
                return
            }
        }
    }

    private func framing(of head: HTTPResponseHead) -> ResponseFraming {
        if let length = parser.remainingBodyLength { return .length(length) }
        if parser.isChunkedBody { return .chunked }
        return parser.isUntilCloseBody ? .untilClose : .none
    }

    private func finishExchange(leftover: Bool) {
        let exchange = self.exchange
        self.exchange = nil
        if responseKeepAlive && requestKeepAlive && !leftover && channel.queued == 0 && !channel.isClosed {
            phase = .idle
            channel.resumeReading()
            pool.checkin(self)
        } else {
            close()
        }
        exchange?.upstreamEnd(self)
    }

    package func channelReadEnded(_ channel: SocketChannel) {
        switch phase {
        case .exchange:
            if responseStarted, let event = try? parser.finish(), case .end = event {
                let exchange = self.exchange
                self.exchange = nil
                close()
                exchange?.upstreamEnd(self)
            } else {
                failAndClose(.closed(responseStarted: responseStarted))
            }
        case .tunnel:
            exchange?.upstreamTunnelEnded(self)
        default:
            close()
        }
    }

    package func channelFailed(_ channel: SocketChannel, code: Int32) {
        if case .connecting = phase { return failAndClose(.connectFailed(code: code)) }
        failAndClose(.closed(responseStarted: responseStarted))
    }

    package func channelDrained(_ channel: SocketChannel) {
        exchange?.upstreamDrained(self)
    }

    private func failAndClose(_ failure: UpstreamFailure) {
        let exchange = self.exchange
        self.exchange = nil
        close()
        exchange?.upstreamFailed(self, failure)
    }
}
