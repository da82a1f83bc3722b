import CSystem
import Dispatch
import Glibc
import Synchronization

/// Turns host names into addresses with `getaddrinfo`, which blocks, so it runs on a dedicated queue and
/// never on an event loop or the cooperative pool; answers are cached briefly.
package final class HostResolver: Sendable {
    private struct Entry {
        var addresses: [SocketAddress]
        var expires: Int64
    }

    private let queue = DispatchQueue(label: "switchboard.resolver")
    private let cache = Mutex<[String: Entry]>([:])
    private let ttl: Int64

    /// - Parameter ttl: how long an answer is reused.
    package init(ttl: Duration = .seconds(5)) {
        self.ttl = ttl.nanoseconds
    }

    /// The addresses of `host` (an IP literal, with or without brackets, or a name) on `port`.
    /// - Throws: `SystemError` ("resolve") when the name has no address.
    package func resolve(_ host: String, port: Int) async throws -> [SocketAddress] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let literal = SocketAddress(ip: bare, port: port) { return [literal] }
        let now = Posix.monotonicNanoseconds()
        if let cached = cache.withLock({ $0[bare] }), cached.expires > now {
            return cached.addresses.map { $0.with(port: port) }
        }
        let addresses = try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try HostResolver.lookup(bare) })
            }
        }
        let expires = Posix.monotonicNanoseconds() + ttl
        cache.withLock { $0[bare] = Entry(addresses: addresses, expires: expires) }
        return addresses.map { $0.with(port: port) }
    }

    /// Blocking `getaddrinfo` for TCP; the port is left 0.
    /// - Throws: `SystemError` ("resolve") with the resolver's message.
    package static func lookup(_ host: String) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            throw ResolveError(host: host, message: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let raw = entry.pointee.ai_addr, let address = SocketAddress(raw), !addresses.contains(address) {
                addresses.append(address)
            }
            cursor = entry.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw ResolveError(host: host, message: "no address") }
        return addresses
    }
}

/// A host name that could not be resolved.
package struct ResolveError: Error, Sendable, Equatable, CustomStringConvertible {
    package var host: String
    package var message: String
    package var description: String { "resolve \(host): \(message)" }
}
