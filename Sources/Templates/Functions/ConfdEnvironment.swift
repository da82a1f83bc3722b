import Foundation

/// What confd's functions read besides keys: environment variables, files, DNS and the clock.
/// The caller passes one in: `.process` reads the real ones (the router and `router sync` use it),
/// `.fixed(...)` answers from values given up front (tests, and compiling without rendering).
package struct ConfdEnvironment: Sendable {
    /// `getenv`: a variable's value, or nil when unset.
    package var variable: @Sendable (String) -> String?
    /// `fileExists`: whether `os.Stat` would succeed or fail for a reason other than "not found".
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
        fileExists: { confdFileExists($0) },
        lookupIP: { Host(name: $0).addresses },
        lookupSRV: { _, _, _ in [] },
        now: { Date() }
    )

    /// An environment that answers only from what it is given: no variable, file or host beyond these,
    /// and a clock stopped at `now`.
    package static func fixed(
        variables: [String: String] = [:], files: Set<String> = [], hosts: [String: [String]] = [:],
        services: [String: [SRVRecord]] = [:], now: Date = Date(timeIntervalSince1970: 0)
    ) -> ConfdEnvironment {
        ConfdEnvironment(
            variable: { variables[$0] },
            fileExists: { files.contains($0) },
            lookupIP: { hosts[$0] ?? [] },
            lookupSRV: { service, proto, name in services["_\(service)._\(proto).\(name)"] ?? services[name] ?? [] },
            now: { now })
    }
}

/// confd's `isFileExist`: false only when `os.Stat` says "not found". Any other failure (permission
/// denied, a path through a regular file, a name too long) answers true, as in confd.
private func confdFileExists(_ path: String) -> Bool {
    let files = FileManager.default
    if files.fileExists(atPath: path) { return true }  // follows symlinks, as os.Stat does
    do {
        _ = try files.attributesOfItem(atPath: path)
        return false  // lstat works but stat did not: a dangling symlink, "not found" for os.Stat
    } catch let error as CocoaError {
        return error.code != .fileReadNoSuchFile
    } catch {
        return true
    }
}
