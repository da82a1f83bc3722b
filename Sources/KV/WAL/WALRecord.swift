/// One change to one key inside a logged write; a put carries the whole resulting key.
enum KeyChange: Sendable, Hashable {
    case put(KeyValue)
    case delete([UInt8])
}

/// One durable change, logged in the order the store applied it (its `lsn`).
///
/// Records carry effects, not requests: replaying them needs no lease clock and no compare,
/// so recovery rebuilds exactly the state that was acknowledged.
struct WALRecord: Sendable, Hashable {
    enum Body: Sendable, Hashable {
        /// Every key change of one revision; `revokedLease` when a lease revocation caused it.
        case write(revision: Revision, changes: [KeyChange], revokedLease: LeaseID?)
        case grant(LeaseID, ttl: Int64)
        /// A lease revoked while it held no keys, so no revision was used.
        case revoke(LeaseID)
        case compact(Revision)
    }

    /// Log sequence number: one more than the record before, across segments and snapshots.
    var lsn: Int64
    var body: Body

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 64)
        writer.write(lsn)
        switch body {
        case let .write(revision, changes, revokedLease):
            writer.write(UInt8(1))
            writer.write(revision)
            writer.write(revokedLease?.rawValue ?? 0)
            writer.writeVarint(changes.count)
            for change in changes {
                switch change {
                case .put(let kv):
                    writer.write(UInt8(1))
                    writer.write(kv.key)
                    writer.write(kv.value)
                    writer.write(kv.createRevision)
                    writer.write(kv.version)
                    writer.write(kv.lease?.rawValue ?? 0)
                case .delete(let key):
                    writer.write(UInt8(2))
                    writer.write(key)
                }
            }
        case let .grant(id, ttl):
            writer.write(UInt8(2))
            writer.write(id.rawValue)
            writer.write(ttl)
        case .revoke(let id):
            writer.write(UInt8(3))
            writer.write(id.rawValue)
        case .compact(let revision):
            writer.write(UInt8(4))
            writer.write(revision)
        }
        return writer.bytes
    }

    init(lsn: Int64, body: Body) {
        self.lsn = lsn
        self.body = body
    }

    /// Decodes a payload whose checksum already matched.
    /// - Throws: `ByteReader.Malformed` when the payload does not parse.
    init(decoding payload: [UInt8]) throws {
        var reader = ByteReader(payload)
        lsn = try reader.readInt64()
        switch try reader.readByte() {
        case 1:
            let revision = try reader.readInt64()
            let revoked = try reader.readInt64()
            let count = try reader.readVarint()
            var changes: [KeyChange] = []
            changes.reserveCapacity(min(count, 1024))
            for _ in 0..<count {
                switch try reader.readByte() {
                case 1:
                    let key = try reader.readBytes()
                    let value = try reader.readBytes()
                    let create = try reader.readInt64()
                    let version = try reader.readInt64()
                    let lease = try reader.readInt64()
                    changes.append(
                        .put(
                            KeyValue(
                                key: key, value: value, createRevision: create, modRevision: revision,
                                version: version, lease: lease == 0 ? nil : LeaseID(lease))))
                case 2: changes.append(.delete(try reader.readBytes()))
                case let tag: throw ByteReader.Malformed(reason: "unknown change kind \(tag)")
                }
            }
            body = .write(revision: revision, changes: changes, revokedLease: revoked == 0 ? nil : LeaseID(revoked))
        case 2: body = .grant(LeaseID(try reader.readInt64()), ttl: try reader.readInt64())
        case 3: body = .revoke(LeaseID(try reader.readInt64()))
        case 4: body = .compact(try reader.readInt64())
        case let tag: throw ByteReader.Malformed(reason: "unknown record kind \(tag)")
        }
        guard reader.isAtEnd else { throw ByteReader.Malformed(reason: "trailing bytes after the record") }
    }
}
