import KV

/// What to do about the key, given what the store holds there: a pure decision, so it is tested by table.
package enum KeyClaim: Sendable, Hashable {
    /// Our value under our lease: nothing to write.
    case held
    /// Absent: create it, only if it is still absent.
    case create
    /// Our value under another lease (our previous run, killed before it could clean up), or our lease
    /// under another value: overwrite, only if the key has not changed since `modRevision`.
    case takeOver(modRevision: Revision)
    /// Another owner's value: leave it unless that owner's lease is gone.
    case foreign(KeyValue)

    package static func decide(current: KeyValue?, value: String, lease: LeaseID) -> KeyClaim {
        guard let current else { return .create }
        let sameValue = current.value == Array(value.utf8)
        if sameValue && current.lease == lease { return .held }
        if sameValue || current.lease == lease { return .takeOver(modRevision: current.modRevision) }
        return .foreign(current)
    }
}

/// Carries out `Registration.Operation`s on a store and turns every answer, errors included, into an `Outcome`.
package struct RegistrationStore: Sendable {
    package let store: any KVStore
    package let key: String
    package let value: String

    package init(store: any KVStore, key: String, value: String) {
        self.store = store
        self.key = key
        self.value = value
    }

    package func perform(_ operation: Registration.Operation) async -> Registration.Outcome {
        do {
            switch operation {
            case .grantLease(let ttl):
                return .granted(try await store.grantLease(ttl: ttl).id)
            case .keepAlive(let lease):
                _ = try await store.keepAlive(lease)
                return .alive
            case .writeKey(let lease):
                return try await writeKey(lease: lease)
            case .deleteKey(let lease):
                // Guarded by our lease: never delete a value another owner wrote since.
                _ = try await store.txn(
                    Txn(
                        compare: [Compare(.key(key), .equal, .lease(lease))],
                        success: [.delete(DeleteRequest(.key(key)))]))
                return .deleted
            case .revoke(let lease):
                do {
                    try await store.revoke(lease)
                } catch KVError.leaseNotFound {
                    // Already gone with its keys: what we wanted.
                }
                return .revoked
            }
        } catch KVError.leaseNotFound {
            return .leaseGone
        } catch {
            return .failed("\(error)")
        }
    }

    /// Reads the key, decides, and writes with a compare that fails if anyone changed the key meanwhile;
    /// on such a race it reads again (a few times, then reports a failure to be retried later).
    private func writeKey(lease: LeaseID) async throws -> Registration.Outcome {
        for _ in 0..<3 {
            let current = try await store.get(key)
            switch KeyClaim.decide(current: current, value: value, lease: lease) {
            case .held:
                return .alreadyHeld
            case .create:
                if try await put(lease: lease, if: .createRevision(0)) { return .written }
            case .takeOver(let modRevision):
                if try await put(lease: lease, if: .modRevision(modRevision)) { return .written }
            case .foreign(let other):
                guard let otherLease = other.lease, try await leaseIsGone(otherLease) else {
                    return .occupied(value: other.valueString, lease: other.lease)
                }
                if try await put(lease: lease, if: .modRevision(other.modRevision)) { return .written }
            }
        }
        return .failed("the key \(key) kept changing while registering")
    }

    private func put(lease: LeaseID, if target: Compare.Target) async throws -> Bool {
        let k = Array(key.utf8)
        let result = try await store.txn(
            Txn(
                compare: [Compare(.key(k), .equal, target)],
                success: [.put(PutRequest(key: k, value: Array(value.utf8), lease: lease))]))
        return result.succeeded
    }

    /// A store expires a lease's keys with it, so a key under a gone lease is a leftover we may replace.
    private func leaseIsGone(_ lease: LeaseID) async throws -> Bool {
        do {
            _ = try await store.timeToLive(lease, keys: false)
            return false
        } catch KVError.leaseNotFound {
            return true
        }
    }
}
