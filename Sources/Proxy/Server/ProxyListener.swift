import HTTP
import Platform

/// Accepts client connections on one loop from that worker's own listening socket (`SO_REUSEPORT`: the
/// kernel spreads connections evenly over the workers), enforcing the connection cap and backing off when
/// the process runs out of descriptors instead of spinning on `accept`.
// @unchecked: used on `worker.loop`'s thread only.
final class ProxyListener: EventLoopHandler, @unchecked Sendable {
    let fd: Int32
    let worker: ProxyWorker
    private var pausedForDescriptors = false
    private var loggedExhaustion = false
    private var loggedCap = false
    private var stopped = false

    init(fd: Int32, worker: ProxyWorker) {
        self.fd = fd
        self.worker = worker
    }

    /// Starts watching the listening socket; loop thread.
    func start() throws {
        try worker.loop.register(fd, events: .readable, handler: self)
    }

    func handle(_ events: IOEvents) {
        let shared = worker.shared
        for _ in 0..<64 {
            guard !stopped else { return }
            let (client, code) = Socket.accept(fd)
            guard client >= 0 else {
                if Socket.isDescriptorExhaustion(code) {
                    backOff(code)
                } else if !Socket.isTransientAcceptError(code) {
                    shared.log.warning("accept failed", ["error": SystemError("accept", code: code).description])
                }
                return
            }
            loggedExhaustion = false
            let open = shared.openConnections.add(1, ordering: .relaxed).newValue
            guard open <= shared.configuration.maxConnections, !worker.draining else {
                shared.openConnections.subtract(1, ordering: .relaxed)
                Posix.close(client)
                worker.metrics.rejectedConnections += 1
                if !loggedCap && !worker.draining {
                    loggedCap = true
                    shared.log.warning(
                        "connection cap reached; closing new connections",
                        ["max_connections": "\(shared.configuration.maxConnections)"])
                }
                continue
            }
            if loggedCap && open < shared.configuration.maxConnections * 9 / 10 { loggedCap = false }
            Socket.setNoDelay(client)
            worker.adopt(client)
        }
    }

    /// Out of descriptors: stop accepting for a moment (connections wait in the backlog), log once.
    private func backOff(_ code: Int32) {
        guard !pausedForDescriptors else { return }
        pausedForDescriptors = true
        worker.loop.deregister(fd)
        if !loggedExhaustion {
            loggedExhaustion = true
            worker.shared.log.warning(
                "out of file descriptors; accepting again every 100ms until some close",
                [
                    "error": SystemError("accept", code: code).description,
                    "open": "\(worker.shared.openConnections.load(ordering: .relaxed))",
                ])
        }
        worker.loop.schedule(after: .milliseconds(100)) { [self] in
            guard !stopped else { return }
            pausedForDescriptors = false
            do {
                try start()
            } catch {
                worker.shared.log.error("cannot watch the listening socket again", ["error": "\(error)"])
            }
        }
    }

    /// Stops accepting on this loop and closes the listening socket; loop thread.
    func stop() {
        guard !stopped else { return }
        stopped = true
        worker.loop.deregister(fd)
        Posix.close(fd)
    }
}
