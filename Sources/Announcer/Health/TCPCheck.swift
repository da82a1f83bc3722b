import Platform

/// `tcp://HOST:PORT`: healthy when a connection opens within `timeout` (it is closed at once).
package struct TCPCheck: HealthCheck {
    package let address: HostPort
    package let timeout: Duration

    package init(address: HostPort, timeout: Duration) {
        self.address = address
        self.timeout = timeout
    }

    package func check() async -> HealthResult {
        do {
            try await TCPProbe.connect(host: address.host, port: address.port, timeout: timeout)
            return .healthy("connected to \(address)")
        } catch {
            // TCPProbe says `connect HOST:PORT: reason` itself.
            return .unhealthy("\(error)")
        }
    }
}
