import Foundation
import HTTP
import Platform
import TestSupport

/// Real etcd members (Debian's `etcd-server`) on free loopback ports, each with its own data dir.
package final class EtcdCluster: Sendable {
    package struct Member: Sendable {
        package let name: String
        package let clientPort: Int
        package let peerPort: Int
        package let dataDir: String
        package var clientURL: String { "http://127.0.0.1:\(clientPort)" }
        package var peerURL: String { "http://127.0.0.1:\(peerPort)" }
    }

    package let members: [Member]
    private let directory: TemporaryDirectory
    private let processes: Locked<[String: ChildProcess]>
    /// Extra flags every member starts with (`--enable-v2` for the v2 contract).
    private let extraArguments: [String]

    /// The etcd binary, or nil when it is not installed (scripts/test installs it).
    package static var binary: String? {
        ["/usr/bin/etcd", "/usr/local/bin/etcd"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts `size` members and waits until every one reports healthy.
    package init(size: Int = 1, enableV2: Bool = false) async throws {
        guard let binary = EtcdCluster.binary else { throw TestSupportError("etcd is not installed; run scripts/test") }
        let directory = try TemporaryDirectory("etcd")
        self.directory = directory
        members = (0..<size).map { i in
            Member(
                name: "m\(i)", clientPort: FreePort.next(), peerPort: FreePort.next(),
                dataDir: "\(directory.path)/m\(i)")
        }
        processes = Locked([:])
        extraArguments = enableV2 ? ["--enable-v2=true"] : []
        for member in members { try start(member, binary: binary, state: "new") }
        for member in members {
            guard await EtcdCluster.waitHealthy(member) else {
                let log = processes.withLock { $0[member.name]?.output ?? "" }
                stop()
                throw TestSupportError("etcd \(member.name) did not become healthy:\n\(log.suffix(2000))")
            }
        }
    }

    /// Client URLs of all members, for `--store`.
    package var endpoints: [String] { members.map(\.clientURL) }

    private func start(_ member: Member, binary: String, state: String) throws {
        let cluster = members.map { "\($0.name)=\($0.peerURL)" }.joined(separator: ",")
        let process = try ChildProcess(
            binary,
            [
                "--name", member.name, "--data-dir", member.dataDir,
                "--listen-client-urls", member.clientURL, "--advertise-client-urls", member.clientURL,
                "--listen-peer-urls", member.peerURL, "--initial-advertise-peer-urls", member.peerURL,
                "--initial-cluster", cluster, "--initial-cluster-state", state,
                "--initial-cluster-token", "switchboard-test", "--log-level", "warn", "--logger", "zap",
            ] + extraArguments, logPath: "\(directory.path)/\(member.name).log")
        processes.withLock { $0[member.name] = process }
    }

    /// Kills one member with SIGKILL.
    package func kill(_ index: Int) {
        processes.withLock { $0[members[index].name] }?.kill9()
    }

    /// Restarts a stopped member with its data dir.
    package func restart(_ index: Int) async throws {
        guard let binary = EtcdCluster.binary else { return }
        try start(members[index], binary: binary, state: "existing")
        guard await EtcdCluster.waitHealthy(members[index]) else {
            throw TestSupportError("etcd \(members[index].name) did not come back")
        }
    }

    /// Stops every member (SIGTERM, then SIGKILL) and removes the data.
    package func stop() {
        for process in processes.withLock({ Array($0.values) }) { process.stop() }
        directory.remove()
    }

    private static func waitHealthy(_ member: Member) async -> Bool {
        let client = HTTPClient()
        defer { client.shutdown() }
        guard let endpoint = try? Endpoint(url: member.clientURL) else { return false }
        return await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            let response = try await client.send(
                HTTPClientRequest(method: "GET", path: "/health"), to: endpoint, timeout: .seconds(1))
            return response.status == 200 && String(decoding: response.body, as: UTF8.self).contains("true")
        }
    }
}
