import HTTP
import Platform

/// What a proxy connection answers by itself (retries, errors, rejections) and how it ends.
extension ProxyConnection {
    // MARK: Retries and answers of our own

    func upstreamFailedBeforeResponse(_ failure: UpstreamFailure, reused: Bool) {
        guard let exchange else { return }
        let nothingSent: Bool
        switch failure {
        case .connectFailed: nothingSent = true
        case .closed, .badResponse: nothingSent = false
        }
        // A kept-alive connection the instance had already closed says nothing about the instance:
        // try it again on a fresh connection (bounded, so a broken pool cannot loop).
        if reused, failure == .closed(responseStarted: false), exchange.staleRetries < 3,
            exchange.isIdempotent, !exchange.bodyForwarded || exchange.body == .none
        {
            exchange.staleRetries += 1
            worker.metrics.retries += 1
            return send()
        }
        worker.recordFailure(exchange.instance)
        let mayRetry = (nothingSent && !exchange.bodyForwarded) || (exchange.isIdempotent && exchange.body == .none)
        if mayRetry, let next = worker.pick(exchange.route, excluding: exchange.tried) {
            exchange.triedBefore.append(exchange.instanceIndex)
            exchange.instanceIndex = next
            worker.metrics.retries += 1
            if shared.log.enabled(.debug) {
                shared.log.debug(
                    "retrying on the next instance", ["app": exchange.app, "instance": exchange.instance.key])
            }
            return send()
        }
        let message: String
        switch failure {
        case .connectFailed(let code):
            message = "cannot connect to an instance of \(exchange.app): \(Posix.describe(errno: code))"
        case .closed: message = "an instance of \(exchange.app) closed the connection before answering"
        case .badResponse(let error):
            message = "an instance of \(exchange.app) sent a bad response: \(error.description)"
        }
        failResponse(status: 502, message: message)
    }

    /// Answers the request in flight with an error of our own, before any of the upstream's answer.
    func failResponse(status: Int, message: String) {
        guard let exchange else { return }
        exchange.upstream?.abort()
        self.exchange?.upstream = nil
        let keepAlive = exchange.keepAlive && exchange.requestEnded
        worker.metrics.count(app: exchange.app, status: status)
        if shared.log.enabled(.info) {
            shared.log.info("upstream failed", ["app": exchange.app, "status": "\(status)", "reason": message])
        }
        channel.write {
            ForwardRules.writeLocalResponse(
                status: status, message: message, close: !keepAlive, isHEAD: exchange.isHEAD, into: &$0)
        }
        self.exchange?.keepAlive = keepAlive
        if exchange.requestEnded { finish() } else { startClosing() }
    }

    func respondLocally(
        status: Int, message: String, app: String, isHEAD: Bool, keepAlive: Bool, bodyPending: Bool
    ) {
        worker.metrics.count(app: app, status: status)
        let close = !keepAlive || bodyPending
        channel.write {
            ForwardRules.writeLocalResponse(status: status, message: message, close: close, isHEAD: isHEAD, into: &$0)
        }
        if close {
            startClosing()
        } else {
            setDeadline(.idle)
        }
    }

    /// Answers a malformed request with its status and a one-line reason, then closes.
    func reject(_ error: HTTPParseError) {
        if let exchange {
            // A broken body in the middle of forwarding: the upstream connection has part of it and is
            // dropped; the client still gets its 400 unless the answer already started.
            guard !exchange.responseStarted else { return close() }
            exchange.upstream?.abort()
            self.exchange = nil
        }
        if shared.log.enabled(.debug) {
            shared.log.debug(
                "rejected request", ["status": "\(error.status)", "reason": error.description, "client": clientIP])
        }
        worker.metrics.count(app: "-", status: error.status)
        channel.write {
            ForwardRules.writeLocalResponse(
                status: error.status, message: error.description, close: true, isHEAD: false, into: &$0)
        }
        startClosing()
    }

    /// The exchange is over: keep the connection for the next request or close it.
    func finish() {
        guard let exchange else { return }
        self.exchange = nil
        guard exchange.keepAlive, exchange.requestEnded, !worker.draining, !clientEnded else { return startClosing() }
        setDeadline(.idle)
        if parsingPaused { resumeParsing() } else if !clientEnded { channel.resumeReading() }
    }

    /// Sends FIN once the answer is written and drops input until the client closes or the linger ends,
    /// so unread request bytes do not turn our answer into a reset.
    private func startClosing() {
        guard !closing, !closed else { return }
        closing = true
        exchange?.upstream?.abort()
        exchange = nil
        stash = []
        channel.shutdownWriteWhenFlushed()
        if clientEnded { return close() }
        channel.resumeReading()
        setDeadline(.linger)
    }

    // MARK: Lifecycle

    /// Shutdown began: close when idle, else after the answer in flight.
    func drain() {
        if exchange == nil && !tunnel {
            if parser.isIdle { close() } else { exchange = nil }
            return
        }
        exchange?.keepAlive = false
    }

    func checkDeadline(now: Int64) {
        guard now >= deadline, !closed else { return }
        switch deadlineKind {
        case .idle, .linger, .tunnel:
            close()
        case .header:
            if parser.isIdle && stash.isEmpty {
                close()
            } else {
                worker.metrics.count(app: "-", status: 408)
                channel.write {
                    ForwardRules.writeLocalResponse(
                        status: 408, message: "request head not received in time", close: true, isHEAD: false, into: &$0
                    )
                }
                startClosing()
            }
        case .body:
            guard let exchange, !exchange.responseStarted else { return close() }
            worker.metrics.count(app: exchange.app, status: 408)
            exchange.upstream?.abort()
            self.exchange?.upstream = nil
            channel.write {
                ForwardRules.writeLocalResponse(
                    status: 408, message: "request body not received in time", close: true, isHEAD: exchange.isHEAD,
                    into: &$0)
            }
            startClosing()
        case .connect:
            guard let exchange, let upstream = exchange.upstream else { return close() }
            upstream.abort()
            self.exchange?.upstream = nil
            upstreamFailedBeforeResponse(.connectFailed(code: Posix.ETIMEDOUT), reused: false)
        case .upstream:
            guard let exchange, !exchange.responseStarted else { return close() }
            worker.recordFailure(exchange.instance)
            failResponse(
                status: 504,
                message: "no answer from an instance of \(exchange.app) within \(shared.configuration.upstreamTimeout)")
        }
    }

    /// Closes both sides now; idempotent.
    func close() {
        guard !closed else { return }
        closed = true
        exchange?.upstream?.abort()
        exchange = nil
        stash = []
        channel.close()
        worker.forget(self)
    }
}
