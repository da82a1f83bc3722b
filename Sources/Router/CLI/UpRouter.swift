import KV
import Platform
import Proxy

/// The router half of `router up`: the built-in proxy reading the embedded store in process, or a private
/// nginx whose config the sync engine renders from the same store. Each part joins the lifecycle so it
/// stops before the store.
enum UpRouter {
    /// Starts the built-in proxy on `options.listen`; returns the port it bound.
    /// - Throws: a one-line reason; nothing it started is left running.
    static func startProxy(_ options: UpOptions, store: MemoryStore, in lifecycle: Lifecycle) async throws -> Int {
        var configuration = ProxyConfiguration()
        configuration.host = options.listen.host
        configuration.port = options.listen.port
        configuration.domain = options.domain
        configuration.prefix = options.prefix
        // No HTTP hop: the proxy's routing feed watches the embedded store directly.
        let proxy = ProxyServer(
            configuration: configuration, store: store, log: Log(component: "proxy", level: options.logLevel))
        return try await lifecycle.start(
            "proxy", { try proxy.start() },
            // Ctrl-C should feel immediate: requests in flight get a short grace, not the proxy's default.
            stop: { _ in await proxy.shutdown(grace: .seconds(2)) })
    }

    /// Starts a private nginx under `<data-dir>/nginx` and the sync engine feeding it; returns nginx's port.
    /// - Throws: a one-line reason; nothing it started is left running.
    static func startNginx(_ options: UpOptions, store: MemoryStore, in lifecycle: Lifecycle) async throws -> Int {
        try await UpNginx.start(options, store: store, in: lifecycle)
    }
}

/// A runtime failure of `router up` (status 1), worded for the user.
struct UpError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
