import HTTP
import Platform

/// Everything `ProxyServer` needs to know; defaults follow nginx's where nginx has one.
package struct ProxyConfiguration: Sendable {
    /// Where clients connect: an IP literal or `localhost`.
    package var host = "127.0.0.1"
    /// 0 picks a free port; `start()` returns it.
    package var port = 8080
    /// Requests for `<app>.<domain>` go to the instances of `<app>`.
    package var domain = "localhost"
    /// Store prefix: instances are `<prefix>/<app>/<instance> = ip:port`.
    package var prefix = "/services/web"
    /// Event-loop threads, each serving its own connections.
    package var workers = 1
    /// The admin listener (`/metrics`, `/health`); nil for none.
    package var admin: HostPort?
    /// Head limits (414 and 431 beyond them). Bodies are streamed, so `maxBody` caps declared lengths only.
    package var limits = HTTPLimits(maxBody: Int.max)
    /// A client must send a whole request head within this time (408 otherwise).
    package var headerTimeout: Duration = .seconds(10)
    /// A keep-alive connection with no request in progress is closed after this long.
    package var idleTimeout: Duration = .seconds(60)
    /// The longest pause between two reads of a request body (408 otherwise).
    package var bodyTimeout: Duration = .seconds(60)
    /// The longest wait for an upstream's response head, or between two reads of its body (504 before
    /// the head, a cut connection after).
    package var upstreamTimeout: Duration = .seconds(60)
    /// Connecting to an instance fails after this long (and the next instance is tried).
    package var connectTimeout: Duration = .seconds(2)
    /// A websocket or other upgraded tunnel with no traffic either way is closed after this long.
    package var tunnelTimeout: Duration = .seconds(3600)
    /// Client connections open at once, over all workers; beyond it new ones are closed on accept.
    package var maxConnections = 10_000
    /// Consecutive failures (connect errors, resets, timeouts) after which an instance is ejected.
    package var ejectAfterFailures = 3
    /// How long an ejected instance gets no requests (unless every instance is ejected).
    package var ejectionCooldown: Duration = .seconds(10)
    /// Bytes queued towards a slow side before the other side stops being read.
    package var highWater = 256 * 1024
    /// Idle upstream keep-alive connections kept per instance and worker.
    package var maxIdlePerInstance = 512

    package init() {}
}
