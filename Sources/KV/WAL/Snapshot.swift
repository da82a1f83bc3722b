/// The whole durable state at one log position: what recovery starts from before replaying the log.
struct Snapshot: Sendable, Hashable {
    /// The last record this snapshot includes; replay starts after it.
    var lsn: Int64
    var revision: Revision
    var compactRevision: Revision
    var keys: [KeyValue]
    /// Lease ID and granted TTL; leases get their full TTL again on recovery, as in etcd.
    var leases: [Lease]

    static let magic: [UInt8] = Array("SBSNAP01".utf8)

    /// The file's bytes: magic, then one checksummed frame.
    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 64 + keys.count * 64)
        writer.write(lsn)
        writer.write(revision)
        writer.write(compactRevision)
        writer.writeVarint(keys.count)
        for kv in keys {
            writer.write(kv.key)
            writer.write(kv.value)
            writer.write(kv.createRevision)
            writer.write(kv.modRevision)
            writer.write(kv.version)
            writer.write(kv.lease?.rawValue ?? 0)
        }
        writer.writeVarint(leases.count)
        for lease in leases {
            writer.write(lease.id.rawValue)
            writer.write(lease.ttl)
        }
        return Snapshot.magic + Frame.encode(writer.bytes)
    }

    /// Parses a snapshot file.
    /// - Throws: `KVError.storage` with a one-line reason naming `path`.
    init(decoding bytes: [UInt8], path: String) throws {
        let advice = "the snapshot is corrupted. Restore from a backup or move the directory away"
        guard bytes.count >= Snapshot.magic.count, Array(bytes.prefix(Snapshot.magic.count)) == Snapshot.magic else {
            throw KVError.storage("\(path): bad header, not a Switchboard snapshot; \(advice)")
        }
        let frameStart = Snapshot.magic.count
        guard case .valid(let payload, let end) = Frame.parse(bytes, at: frameStart, limit: Int(UInt32.max)),
            end == bytes.count
        else {
            throw KVError.storage("\(path): fails its checksum or is incomplete; \(advice)")
        }
        do {
            var reader = ByteReader(payload)
            lsn = try reader.readInt64()
            revision = try reader.readInt64()
            compactRevision = try reader.readInt64()
            let keyCount = try reader.readVarint()
            keys = []
            keys.reserveCapacity(min(keyCount, 1 << 20))
            for _ in 0..<keyCount {
                let key = try reader.readBytes()
                let value = try reader.readBytes()
                let create = try reader.readInt64()
                let mod = try reader.readInt64()
                let version = try reader.readInt64()
                let lease = try reader.readInt64()
                keys.append(
                    KeyValue(
                        key: key, value: value, createRevision: create, modRevision: mod, version: version,
                        lease: lease == 0 ? nil : LeaseID(lease)))
            }
            let leaseCount = try reader.readVarint()
            leases = []
            for _ in 0..<leaseCount {
                leases.append(Lease(id: LeaseID(try reader.readInt64()), ttl: try reader.readInt64()))
            }
            guard reader.isAtEnd else { throw ByteReader.Malformed(reason: "trailing bytes") }
        } catch let error as ByteReader.Malformed {
            throw KVError.storage("\(path): \(error.reason); \(advice)")
        }
    }

    init(lsn: Int64, revision: Revision, compactRevision: Revision, keys: [KeyValue], leases: [Lease]) {
        self.lsn = lsn
        self.revision = revision
        self.compactRevision = compactRevision
        self.keys = keys
        self.leases = leases
    }
}
