import KV

/// Every key a resource asked for, read at one store revision.
package struct KeyRead: Sendable, Equatable {
    /// Store keys (with their prefix) to values.
    package var pairs: [String: String]
    /// The revision the read was served at; 0 for backends without revisions (env, file).
    package var revision: Revision

    package init(pairs: [String: String], revision: Revision) {
        self.pairs = pairs
        self.revision = revision
    }
}

/// What a backend's watch reports after a read.
package enum BackendChange: Sendable, Equatable {
    /// Keys changed (nil value: deleted); apply them to the last read.
    case events([(key: String, value: String?)], revision: Revision)
    /// Something changed that events cannot describe (a file was edited): read everything again.
    case resync

    package static func == (a: BackendChange, b: BackendChange) -> Bool {
        switch (a, b) {
        case (.resync, .resync): true
        case let (.events(x, r), .events(y, s)):
            r == s && x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }
}

/// Where `router sync` reads keys: etcd (or `router store`), the environment, or files (confd's backends).
/// Key matching follows each confd backend exactly; proved by Tests/SyncTests/BackendTests.swift.
package protocol SyncBackend: Sendable {
    /// Reads every key matching `keys` (store keys, prefix included), all at one revision.
    /// - Throws: the backend's error; a failed read returns nothing, so nothing partial is rendered.
    func read(_ keys: [String]) async throws -> KeyRead
    /// Changes to `keys` after `revision`, in order. The stream throws `KVError.compacted` when that
    /// history is gone (read everything again), or another error when the watch cannot go on.
    func watch(_ keys: [String], after revision: Revision) -> AsyncThrowingStream<BackendChange, any Error>
    /// Whether the backend answers now; used to report an outage while a watch waits quietly.
    func probe() async -> Bool
}
