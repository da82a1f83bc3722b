import HTTP
import Platform
import Testing

/// One upstream instance in memory: every connection the proxy opens to its address is a `MemoryPeer`, and
/// each complete request that arrives on one is answered with the next scripted `Reply`.
final class ScriptedUpstream {
    /// What the instance does once a whole request (head and body) has arrived.
    enum Reply {
        /// Sends these bytes (any response, well-formed or not) and keeps the connection.
        case answer(String)
        /// Sends these bytes, then FIN.
        case answerThenClose(String)
        /// Sends these bytes (a response cut short), then resets the connection.
        case answerThenReset(String)
        /// Resets the connection without sending a byte.
        case reset
        /// Sends FIN without sending a byte (a keep-alive connection the instance closed meanwhile).
        case close
        /// Never answers.
        case silent
        /// Sends these bytes (a 101 answer); what arrives afterwards is tunnelled data, not requests.
        case switchProtocols(String)
    }

    /// `host:port`, as in the routing table.
    let address: String
    /// How connects to this instance end.
    var connectOutcome = MemoryPeer.ConnectOutcome.accept
    /// Replies to the next requests, in order; once used up, every request gets `defaultReply`.
    var replies: [Reply] = []
    /// The reply after `replies` ran out: 200 with the address as body.
    let defaultReply: Reply
    /// Every connection the proxy opened (or tried to open) here, oldest first.
    private(set) var connections: [MemoryPeer] = []
    private var parsers: [HTTPRequestParser] = []
    private var parsed: [Int] = []
    private var tunnelled: Set<Int> = []
    /// Complete requests received, over all connections.
    private(set) var requestCount = 0

    init(address: String) {
        self.address = address
        defaultReply = .answer("HTTP/1.1 200 OK\r\nContent-Length: \(address.utf8.count)\r\n\r\n\(address)")
    }

    /// Everything the proxy sent here, connection after connection.
    var received: String {
        connections.map { String(decoding: $0.received, as: UTF8.self) }.joined()
    }

    /// A new connection's far end.
    func accept() -> MemoryPeer {
        let peer = MemoryPeer(connectOutcome: connectOutcome)
        connections.append(peer)
        parsers.append(HTTPRequestParser(limits: HTTPLimits(maxBody: Int.max)))
        parsed.append(0)
        return peer
    }

    /// Reads what arrived since the last call and replies to each request it completes.
    /// - Returns: whether anything was replied.
    func answerArrivedRequests() -> Bool {
        var replied = false
        for index in connections.indices {
            let peer = connections[index]
            guard parsed[index] < peer.received.count, !tunnelled.contains(index) else { continue }
            let fresh = Array(peer.received[parsed[index]...])
            parsed[index] = peer.received.count
            var offset = 0
            // Called until it needs more, even with nothing left: a body-less request ends after its head.
            reading: while true {
                let step: (consumed: Int, event: HTTPParserEvent<HTTPRequestHead>)
                do {
                    step = try fresh.withUnsafeBytes {
                        try parsers[index].next(UnsafeRawBufferPointer(rebasing: $0[offset...]))
                    }
                } catch {
                    Issue.record("upstream \(address) got a request it cannot parse: \(error)")
                    return replied
                }
                offset += step.consumed
                switch step.event {
                case .needMore: break reading
                case .head, .body: break
                case .end:
                    requestCount += 1
                    replied = true
                    if reply(on: peer) {
                        tunnelled.insert(index)
                        break reading
                    }
                }
            }
        }
        return replied
    }

    /// - Returns: whether the connection became a tunnel.
    private func reply(on peer: MemoryPeer) -> Bool {
        let next = replies.isEmpty ? defaultReply : replies.removeFirst()
        switch next {
        case .answer(let text): peer.send(text)
        case .answerThenClose(let text):
            peer.send(text)
            peer.sendFIN()
        case .answerThenReset(let text):
            peer.send(text)
            peer.reset()
        case .reset: peer.reset()
        case .close: peer.sendFIN()
        case .silent: break
        case .switchProtocols(let text):
            peer.send(text)
            return true
        }
        return false
    }
}
