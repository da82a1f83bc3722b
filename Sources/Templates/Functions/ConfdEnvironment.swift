import Foundation

/// What confd's functions read besides keys: environment variables, files, DNS and the clock.
/// Tests and the router pass their own; `.process` reads the real ones.
package struct ConfdEnvironment: Sendable {
    /// `getenv`: a variable's value, or nil when unset.
    package var variable: @Sendable (String) -> String?
    /// `fileExists`: whether a path exists (as `os.Stat` sees it).
    package var fileExists: @Sendable (String) -> Bool
    /// `lookupIP`: addresses of a host name, in any order (nil or empty when it does not resolve).
    package var lookupIP: @Sendable (String) -> [String]
    /// `lookupSRV`: records for service, proto, name; empty when there are none.
    package var lookupSRV: @Sendable (String, String, String) -> [SRVRecord]
    /// `datetime`: the current time.
    package var now: @Sendable () -> Date

    /// An environment made of the given pieces.
    package init(
        variable: @escaping @Sendable (String) -> String?,
        fileExists: @escaping @Sendable (String) -> Bool,
        lookupIP: @escaping @Sendable (String) -> [String],
        lookupSRV: @escaping @Sendable (String, String, String) -> [SRVRecord],
        now: @escaping @Sendable () -> Date
    ) {
        self.variable = variable
        self.fileExists = fileExists
        self.lookupIP = lookupIP
        self.lookupSRV = lookupSRV
        self.now = now
    }

    /// The real process environment, file system, resolver (`Host`, via getaddrinfo) and clock.
    /// SRV lookups need a DNS client Foundation lacks: here they find nothing, as confd does on error;
    /// the router may inject a resolver.
    package static let process = ConfdEnvironment(
        variable: { ProcessInfo.processInfo.environment[$0] },
        fileExists: { FileManager.default.fileExists(atPath: $0) },
        lookupIP: { Host(name: $0).addresses },
        lookupSRV: { _, _, _ in [] },
        now: { Date() }
    )
}
