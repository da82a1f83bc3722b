import Formats
import Platform

/// `/v2/members`, `/v2/stats/self` and `/v2/stats/leader`: one member, always the leader.
enum V2Cluster {
    static func members(_ api: V2API) -> JSONValue { .object([("members", .array([member(api)]))]) }

    /// This store as a member; it has no peer URLs since it never joins a raft cluster.
    static func member(_ api: V2API) -> JSONValue {
        .object([
            ("id", .string(api.member.hexID)), ("name", .string(api.member.name)), ("peerURLs", .array([])),
            ("clientURLs", .array(api.member.clientURLs.map { .string($0) })),
        ])
    }

    static func selfStats(_ api: V2API) -> JSONValue {
        let start = api.member.startTime.iso8601
        return .object([
            ("name", .string(api.member.name)), ("id", .string(api.member.hexID)), ("state", .string("StateLeader")),
            ("startTime", .string(start)),
            (
                "leaderInfo",
                .object([("leader", .string(api.member.hexID)), ("uptime", .string("")), ("startTime", .string(start))])
            ),
            ("recvAppendRequestCnt", .number("0")), ("sendAppendRequestCnt", .number("0")),
        ])
    }

    static func leaderStats(_ api: V2API) -> JSONValue {
        .object([("leader", .string(api.member.hexID)), ("followers", .object([]))])
    }
}
