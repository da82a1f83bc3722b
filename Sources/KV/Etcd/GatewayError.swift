import Formats
import Platform

/// An error as etcd's JSON gateway reports it: a gRPC code, an HTTP status and a message.
package struct GatewayError: Error, Sendable, Hashable, CustomStringConvertible {
    /// gRPC status codes the gateway uses.
    package enum Code: Int, Sendable {
        case unknown = 2, invalidArgument = 3, deadlineExceeded = 4, notFound = 5, failedPrecondition = 9
        case resourceExhausted = 8, outOfRange = 11, unimplemented = 12, `internal` = 13, unavailable = 14
    }

    package var code: Code
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The HTTP status grpc-gateway maps the code to.
    package var httpStatus: Int {
        switch code {
        case .invalidArgument, .outOfRange: 400
        case .notFound: 404
        case .failedPrecondition: 412
        case .resourceExhausted: 429
        case .unimplemented: 501
        case .unavailable: 503
        case .deadlineExceeded: 504
        case .unknown, .internal: 500
        }
    }

    package var description: String { message }

    /// etcd's error body: `{"error":…,"message":…,"code":…}`.
    package var body: [UInt8] {
        let text = JSONValue.object([
            ("error", .string(message)), ("message", .string(message)), ("code", .number(String(code.rawValue))),
        ]).serialized
        return Array(text.utf8)
    }

    /// The gateway form of a store error, with etcd's wording so clients can match on it.
    package init(_ error: KVError) {
        switch error {
        case .compacted: self.init(.outOfRange, "etcdserver: mvcc: required revision has been compacted")
        case .futureRevision: self.init(.outOfRange, "etcdserver: mvcc: required revision is a future revision")
        case .leaseNotFound: self.init(.notFound, "etcdserver: requested lease not found")
        case .leaseExists: self.init(.failedPrecondition, "etcdserver: lease already exists")
        case .keyNotFound: self.init(.invalidArgument, "etcdserver: key not found")
        case .invalidRequest(let reason): self.init(.invalidArgument, reason)
        case .requestTooLarge: self.init(.invalidArgument, "etcdserver: request is too large")
        case .storage(let reason): self.init(.unavailable, "etcdserver: storage failure: \(reason)")
        case .unavailable(_, let reason): self.init(.unavailable, reason)
        case .timeout(let what): self.init(.deadlineExceeded, "etcdserver: request timed out: \(what)")
        case .server(_, _, let message): self.init(.unknown, message)
        case .protocolViolation(let reason): self.init(.internal, reason)
        }
    }

    /// What a client call asked about, so the error it raises names it rather than a made-up value.
    package struct Asked: Sendable {
        package var key: [UInt8]? = nil
        package var lease: LeaseID? = nil
        package var revision: Revision? = nil
        /// Bytes of the request body.
        package var size: Int? = nil
        package init(key: [UInt8]? = nil, lease: LeaseID? = nil, revision: Revision? = nil, size: Int? = nil) {
            self.key = key
            self.lease = lease
            self.revision = revision
            self.size = size
        }
    }

    /// The store error a client raises for this gateway answer, so callers can match on the case. When the
    /// call did not ask about what the error concerns, it stays `.server` with etcd's message.
    package func kvError(status: Int, asked: Asked) -> KVError {
        switch message {
        case "etcdserver: mvcc: required revision has been compacted":
            // The compacted revision is not in etcd's error; `EtcdClient.range` learns it with a watch.
            if let revision = asked.revision { return .compacted(requested: revision, compactRevision: 0) }
        case "etcdserver: mvcc: required revision is a future revision":
            if let revision = asked.revision { return .futureRevision(requested: revision, current: nil) }
        case "etcdserver: requested lease not found":
            if let lease = asked.lease { return .leaseNotFound(lease) }
        case "etcdserver: lease already exists":
            if let lease = asked.lease { return .leaseExists(lease) }
        case "etcdserver: key not found":
            if let key = asked.key { return .keyNotFound(String(decoding: key, as: UTF8.self)) }
        case "etcdserver: request is too large":
            if let size = asked.size { return .requestTooLarge(size: size, limit: nil) }
        default: break
        }
        return .server(status: status, code: code.rawValue, message: message)
    }
}
