import Platform

/// Reads one log segment and tells a torn tail (never acknowledged) from corruption.
///
/// A record that fails to parse is a torn tail only when it is in the last segment and no valid
/// record follows it: a crash mid-write can only damage the end. Anything else means bytes that
/// were acknowledged are damaged, so recovery must stop and say where.
enum SegmentReader {
    struct Result {
        var records: [WALRecord]
        /// Set when a torn tail must be cut off at this length.
        var truncateTo: Int?
    }

    static let advice = "the log is corrupted. Restore from a backup or move the directory away"

    /// - Throws: `KVError.storage` naming the file, record number and offset.
    static func read(path: String, isLast: Bool, log: Log) throws -> Result {
        guard let bytes = try withStorageErrors({ try DataFile.contents(of: path) }) else { return Result(records: []) }
        let magic = WriteAheadLog.segmentMagic
        guard bytes.count >= magic.count, Array(bytes.prefix(magic.count)) == magic else {
            throw KVError.storage("\(path): bad header, not a Switchboard log segment; \(advice)")
        }
        var records: [WALRecord] = []
        var offset = magic.count
        while offset < bytes.count {
            let number = records.count + 1
            let problem: String
            switch Frame.parse(bytes, at: offset) {
            case .valid(let payload, let end):
                if let record = try? WALRecord(decoding: payload) {
                    if let previous = records.last, record.lsn != previous.lsn + 1 {
                        throw KVError.storage(
                            "\(path): record \(number) at offset \(offset) has sequence \(record.lsn) after \(previous.lsn); \(advice)"
                        )
                    }
                    records.append(record)
                    offset = end
                    continue
                }
                problem = "does not decode"
            case .incomplete: problem = "is incomplete"
            case .badChecksum: problem = "fails its checksum"
            }
            let expected = (records.last?.lsn).map { $0 + 1 }
            if isLast && !validRecordFollows(bytes, after: offset, expectedLSN: expected) {
                log.warning(
                    "truncated a torn record at the end of the log; it was never acknowledged",
                    ["path": path, "record": "\(number)", "offset": "\(offset)", "bytes": "\(bytes.count - offset)"])
                return Result(records: records, truncateTo: offset)
            }
            throw KVError.storage("\(path): record \(number) at offset \(offset) \(problem); \(advice)")
        }
        return Result(records: records)
    }

    /// Whether any intact record starts after `offset`: then the damage is not a torn tail.
    private static func validRecordFollows(_ bytes: [UInt8], after offset: Int, expectedLSN: Int64?) -> Bool {
        var start = offset + 1
        let low = (expectedLSN ?? 0) + 1
        while start + Frame.headerSize + 8 <= bytes.count {
            // A frame's payload begins with its LSN; checking it first keeps the scan linear.
            var lsn: Int64 = 0
            for shift in 0..<8 { lsn |= Int64(bytes[start + Frame.headerSize + shift]) << (8 * Int64(shift)) }
            if lsn >= low, lsn < low + (1 << 32), case .valid(let payload, _) = Frame.parse(bytes, at: start),
                let record = try? WALRecord(decoding: payload),
                expectedLSN.map({ record.lsn > $0 }) ?? true
            {
                return true
            }
            start += 1
        }
        return false
    }
}
