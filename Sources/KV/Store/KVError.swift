/// Failures of store operations, local or remote.
package enum KVError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The asked revision is older than the compacted history; read again at `compactRevision` or later.
    case compacted(requested: Revision, compactRevision: Revision)
    /// The asked revision is newer than the store's; `current` is nil when the server did not say.
    case futureRevision(requested: Revision, current: Revision?)
    case leaseNotFound(LeaseID)
    case leaseExists(LeaseID)
    /// A put with `ignoreValue`/`ignoreLease` on a key that does not exist.
    case keyNotFound(String)
    case invalidRequest(String)
    /// A request larger than the store accepts; `limit` is nil when the server did not say.
    case requestTooLarge(size: Int, limit: Int?)
    /// The store cannot make writes durable (disk full, I/O error); nothing was changed.
    case storage(String)
    /// No endpoint answered; `endpoints` lists what was tried.
    case unavailable(endpoints: [String], reason: String)
    /// The server answered with an error status and body.
    case server(status: Int, code: Int, message: String)
    /// The server's answer could not be understood.
    case protocolViolation(String)
    case timeout(String)

    package var description: String {
        switch self {
        case let .compacted(requested, compactRevision):
            "mvcc: required revision has been compacted (requested \(requested), compacted at \(compactRevision))"
        case let .futureRevision(requested, current):
            "mvcc: required revision is a future revision (requested \(requested)"
                + (current.map { ", current \($0))" } ?? ")")
        case let .leaseNotFound(id): "etcdserver: requested lease not found (lease \(id))"
        case let .leaseExists(id): "etcdserver: lease already exists (lease \(id))"
        case let .keyNotFound(key): "etcdserver: key not found: \(key)"
        case let .invalidRequest(reason): "invalid request: \(reason)"
        case let .requestTooLarge(size, limit):
            "etcdserver: request is too large (\(size) bytes" + (limit.map { ", limit \($0))" } ?? ")")
        case let .storage(reason): "storage failure: \(reason); nothing was changed"
        case let .unavailable(endpoints, reason):
            "store unavailable at \(endpoints.joined(separator: ",")): \(reason)"
        case let .server(status, code, message): "store answered \(status) (code \(code)): \(message)"
        case let .protocolViolation(reason): "unexpected answer from store: \(reason)"
        case let .timeout(what): "timed out: \(what)"
        }
    }
}
