import HTTP
import Platform

/// `GET http://HOST:PORT/PATH`: healthy on a 2xx or 3xx answer within `timeout`.
package struct HTTPCheck: HealthCheck {
    package let address: HostPort
    package let path: String
    package let timeout: Duration
    private let client: HTTPClient
    private let endpoint: Endpoint

    package init(address: HostPort, path: String, timeout: Duration) {
        self.address = address
        self.path = path
        self.timeout = timeout
        var configuration = HTTPClient.Configuration()
        configuration.connectTimeout = timeout
        configuration.requestTimeout = timeout
        // A fresh connection each time: a pooled one would not prove the app still accepts.
        configuration.maxIdleConnectionsPerEndpoint = 0
        client = HTTPClient(configuration: configuration)
        endpoint = Endpoint(host: address.host, port: address.port)
    }

    private var url: String { "http://\(address)\(path)" }

    package func check() async -> HealthResult {
        let request = HTTPClientRequest(method: "GET", path: path)
        do {
            let response = try await client.send(request, to: endpoint, timeout: timeout)
            if (200..<400).contains(response.status) { return .healthy("HTTP \(response.status) from \(url)") }
            return .unhealthy("HTTP \(response.status) from \(url)")
        } catch HTTPClientError.requestTimeout, HTTPClientError.connectTimeout {
            return .unhealthy("no answer from \(url) within \(timeout.secondsText)")
        } catch {
            return .unhealthy("GET \(url): \(error)")
        }
    }
}

extension Duration {
    /// `2s`, `0.5s`: for messages.
    var secondsText: String {
        let value = seconds
        if value == value.rounded() { return "\(Int64(value))s" }
        return "\((value * 1000).rounded() / 1000)s"
    }
}
