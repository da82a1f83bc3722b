import Platform
import Synchronization

/// Idle keep-alive connections per endpoint, plus every live connection so `shutdown` can close them.
final class ConnectionPool: Sendable {
    private struct State {
        var idle: [Endpoint: [ClientConnection]] = [:]
        var live: [ObjectIdentifier: ClientConnection] = [:]
        var closed = false
    }

    private let state = Mutex(State())
    private let maxIdlePerEndpoint: Int

    init(maxIdlePerEndpoint: Int) {
        self.maxIdlePerEndpoint = maxIdlePerEndpoint
    }

    /// The most recently used idle connection to `endpoint`, taken out of the pool.
    func checkout(_ endpoint: Endpoint) -> ClientConnection? {
        state.withLock { $0.idle[endpoint]?.popLast() }
    }

    /// Records a new connection; false once the pool is closed.
    func track(_ connection: ClientConnection) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.live[ObjectIdentifier(connection)] = connection
            return true
        }
    }

    /// Returns a connection after a complete response; closes it when the pool is full. Loop thread.
    func checkin(_ connection: ClientConnection) {
        let kept = state.withLock { state -> Bool in
            guard !state.closed, state.idle[connection.endpoint, default: []].count < maxIdlePerEndpoint else {
                return false
            }
            state.idle[connection.endpoint, default: []].append(connection)
            return true
        }
        if !kept { connection.close() }
    }

    /// Removes a closed connection everywhere.
    func forget(_ connection: ClientConnection) {
        state.withLock { state in
            state.live[ObjectIdentifier(connection)] = nil
            state.idle[connection.endpoint]?.removeAll { $0 === connection }
        }
    }

    /// Closes the pool and returns every live connection, for the caller to close.
    func closeAll() -> [ClientConnection] {
        state.withLock { state in
            state.closed = true
            state.idle = [:]
            defer { state.live = [:] }
            return Array(state.live.values)
        }
    }
}
