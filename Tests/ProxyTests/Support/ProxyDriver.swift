import HTTP
import Platform
import Proxy
import TestSupport
import Testing

// The in-memory proxy driver.
//
// It runs the proxy's whole request path, the real `ProxyWorker`, `ProxyConnection`, `UpstreamPool`,
// `UpstreamConnection`, codec and header rules, over in-memory channels (`SocketChannel(peer:loop:)` and
// `MemoryPeer`) on a manual `EventLoop`: no sockets, no threads, no sleeping, and time moves only when a
// test says so. It replaces loopback sockets for the forwarding rules (routing by Host, header rules both
// ways, retries, 502/503/504/408, framing, pipelining), so each is a table row with exact bytes.
//
// What it deliberately does not cover is the kernel: a peer takes every write at once, so partial writes,
// full socket buffers and backpressure across real sockets, real connect timing, RST racing FIN, and the
// listener (accept, connection cap, descriptor exhaustion) stay tested with sockets (ProxyHTTPTests,
// ProxyFailureTests, ProxyHostileInputTests, ProxyProcessTests).

/// A client connection to the in-memory proxy.
final class MemoryClient {
    let peer: MemoryPeer

    init(peer: MemoryPeer) { self.peer = peer }

    /// Everything the proxy sent this client so far.
    var received: String { String(decoding: peer.received, as: UTF8.self) }
    /// Whether the proxy closed the connection.
    var isClosed: Bool { peer.isClosed }
    /// Whether the proxy sent FIN (it does before closing after an answer that ends the connection).
    var receivedFIN: Bool { peer.receivedFIN }

    func send(_ text: String) { peer.send(text) }
    func sendFIN() { peer.sendFIN() }
}

/// A proxy worker on a manual event loop with scripted upstreams; see the comment at the top of the file.
final class ProxyDriver {
    static let domain = "example.test"
    /// The address clients connect from unless a test says otherwise.
    static let clientIP = "192.0.2.7"

    let loop: EventLoop
    let worker: ProxyWorker
    let configuration: ProxyConfiguration
    let logSink = MemoryLogSink()
    private var upstreams: [String: ScriptedUpstream] = [:]
    /// Every in-memory peer (clients and upstream connections), in creation order: the order they are polled.
    private var peers: [MemoryPeer] = []

    /// - Parameter apps: app name → instance addresses (`127.0.0.11:8080`), in round-robin order.
    init(apps: [String: [String]], configure: (inout ProxyConfiguration) -> Void = { _ in }) throws {
        var configuration = ProxyConfiguration()
        configuration.domain = ProxyDriver.domain
        configure(&configuration)
        self.configuration = configuration
        loop = try EventLoop.manual()
        let shared = ProxyShared(
            configuration: configuration, log: Log(component: "proxy", level: .debug, sink: logSink))
        worker = ProxyWorker(loop: loop, shared: shared)
        worker.pool.connector = { [weak self] address in
            guard let self else { return (nil, Posix.ECONNREFUSED) }
            let peer = upstream(address.description).accept()
            peers.append(peer)
            return (SocketChannel(peer: peer, loop: loop), 0)
        }
        try route(apps)
    }

    deinit {
        // Breaks the channel ↔ delegate cycles of connections a test left open.
        worker.closeAll()
    }

    /// Replaces the routing table with `apps`.
    func route(_ apps: [String: [String]]) throws {
        var table: [String: [Instance]] = [:]
        for (app, addresses) in apps {
            table[app] = try addresses.enumerated().map { index, text in
                let address = try HostPort.parse(text)
                guard let socketAddress = SocketAddress(ip: address.host, port: address.port) else {
                    throw TestSupportError("not an IP address: \(text)")
                }
                return Instance(
                    key: "/services/web/\(app)/\(app)@\(index + 1)", address: address, socketAddress: socketAddress)
            }
        }
        worker.table = RoutingTable(version: worker.table.version + 1, apps: table)
    }

    /// The instance at `address`, made on first use; script it before the proxy connects.
    func upstream(_ address: String) -> ScriptedUpstream {
        if let known = upstreams[address] { return known }
        let made = ScriptedUpstream(address: address)
        upstreams[address] = made
        return made
    }

    /// A new client connection, accepted by the proxy.
    func connect(from ip: String = ProxyDriver.clientIP) -> MemoryClient {
        let peer = MemoryPeer()
        peers.append(peer)
        worker.adopt(SocketChannel(peer: peer, loop: loop), clientIP: ip)
        return MemoryClient(peer: peer)
    }

    /// Sends `request` on a new connection, runs until nothing moves, and returns what the client received.
    func exchange(_ request: String) -> String {
        let client = connect()
        client.send(request)
        run()
        return client.received
    }

    /// Moves bytes (client to proxy to upstreams and back) until nothing is left to move, as the event loop
    /// would; the upstreams reply as scripted.
    func run() {
        for _ in 0..<10_000 {
            loop.runPending()
            var moved = false
            for upstream in upstreams.values.sorted(by: { $0.address < $1.address })
            where upstream.answerArrivedRequests() {
                moved = true
            }
            for peer in peers where peer.channel?.pollPeer() == true {
                moved = true
                loop.runPending()
            }
            if !moved { return }
        }
        Issue.record("the in-memory proxy kept moving bytes after 10,000 rounds")
    }

    /// Lets `duration` pass on the loop's clock, runs the deadline sweep, then runs until quiet.
    func advance(by duration: Duration) {
        run()
        loop.advanceTime(by: duration)
        worker.sweep()
        run()
    }
}
