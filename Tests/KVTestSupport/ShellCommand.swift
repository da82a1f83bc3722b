import Foundation
import Platform

/// Runs a shell command line the way a user types it (the tutorials' `etcdctl` and `curl` lines, verbatim),
/// and returns its exit status and everything it printed (standard output and error together).
package enum ShellCommand {
    /// `command` runs under `/bin/sh -c` with `environment` exported first; output is capped at 256 KiB.
    package static func run(_ command: String, environment: [String: String] = [:]) async throws -> (
        status: Int32, output: String
    ) {
        let exports = environment.sorted { $0.key < $1.key }.map { "export \($0.key)='\($0.value)'; " }.joined()
        // Subprocess captures standard error: send standard output there too, in order.
        let process = try Subprocess(
            executable: "/bin/sh", arguments: ["-c", exports + "exec 1>&2; " + command], captureLimit: 256 * 1024)
        let outcome = await process.wait()
        let status: Int32
        switch outcome.termination {
        case .exited(let code): status = code
        case .signalled(let signal): status = 128 + signal
        }
        return (status, String(decoding: outcome.standardError, as: UTF8.self))
    }

    /// `etcdctl` in v2 mode against `endpoint`, as the tutorials' sidekicks run it.
    package static func etcdctlV2(_ arguments: String, endpoint: String) async throws -> (
        status: Int32, output: String
    ) {
        try await run("etcdctl " + arguments, environment: ["ETCDCTL_API": "2", "ETCDCTL_ENDPOINTS": endpoint])
    }

    /// Whether `etcdctl` is installed (Debian's `etcd-client`; scripts/test installs it).
    package static var hasEtcdctl: Bool {
        ["/usr/bin/etcdctl", "/usr/local/bin/etcdctl"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
