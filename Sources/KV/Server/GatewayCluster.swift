import Formats
import Platform
import Synchronization

/// Who this store is in etcd's cluster terms: one member that is always the leader.
package final class MemberInfo: Sendable {
    package let clusterID: UInt64
    package let memberID: UInt64
    package let name: String
    /// When the store started serving, for `/v2/stats/self`.
    package let startTime = UTCTime.now()
    private let urls = Mutex<[String]>([])

    package init(clusterID: UInt64, memberID: UInt64, name: String = "switchboard") {
        self.clusterID = clusterID
        self.memberID = memberID
        self.name = name
    }

    /// The URLs clients reach this store at; set once the port is bound.
    package var clientURLs: [String] {
        get { urls.withLock { $0 } }
        set { urls.withLock { $0 = newValue } }
    }

    /// The member ID as etcd's v2 API and headers write it (16 hex digits).
    package var hexID: String { Self.hex(memberID) }
    package var hexClusterID: String { Self.hex(clusterID) }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }
}

/// `/v3/maintenance/status` and `/v3/cluster/member/list`, shaped like etcd 3.4's answers.
enum GatewayCluster {
    static func status(_ h: GatewayHandler) -> JSONValue {
        let revision = String(h.currentRevision())
        let size = String(max(h.stats()?.walBytes ?? 0, 0))
        return .object([
            ("header", h.header()), ("version", .string(GatewayHandler.etcdVersion)), ("dbSize", .string(size)),
            ("leader", .string(String(h.member.memberID))), ("raftIndex", .string(revision)),
            ("raftTerm", .string("1")), ("raftAppliedIndex", .string(revision)), ("dbSizeInUse", .string(size)),
        ])
    }

    static func memberList(_ h: GatewayHandler) -> JSONValue {
        let member = JSONValue.object([
            ("ID", .string(String(h.member.memberID))), ("name", .string(h.member.name)),
            // An embedded store has no peers: it never joins a raft cluster.
            ("clientURLs", .array(h.member.clientURLs.map { .string($0) })),
        ])
        return .object([("header", h.header()), ("members", .array([member]))])
    }
}
