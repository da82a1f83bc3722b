import Platform

/// The data directory on disk: `LOCK`, an optional `snapshot`, and log segments `wal-NNNNNN.log`.
///
/// Only the store's commit thread calls `append`, `sync` and `writeSnapshot` after `open`; a segment
/// starts with a magic header and holds checksummed frames of `WALRecord`s in LSN order.
final class WriteAheadLog {
    static let segmentMagic: [UInt8] = Array("SBWAL001".utf8)

    let directory: String
    private let lock: DataFile
    private var segment: DataFile
    private var segmentNumber: Int
    /// Bytes appended since the store opened.
    private(set) var bytesWritten: Int64 = 0

    private init(directory: String, lock: consuming DataFile, segment: consuming DataFile, segmentNumber: Int) {
        self.directory = directory
        self.lock = lock
        self.segment = segment
        self.segmentNumber = segmentNumber
    }

    /// Lets another store open the directory; called once the commit thread has written its last record.
    func releaseLock() { lock.unlock() }

    /// What the directory held.
    struct Recovered {
        var snapshot: Snapshot?
        /// Records after the snapshot, in order.
        var records: [WALRecord]
    }

    /// Locks `directory` (creating it), reads the snapshot and every segment, truncates a torn
    /// last record, and opens the last segment for appending.
    /// - Throws: `KVError.storage` with a one-line reason; the directory is left as it was
    ///   (except a torn tail, which was never acknowledged).
    static func open(
        directory: String, log: Log, list: (String) throws -> [String] = Directory.entries(of:)
    ) throws -> (WriteAheadLog, Recovered) {
        try withStorageErrors { try openChecked(directory: directory, log: log, list: list) }
    }

    private static func openChecked(
        directory: String, log: Log, list: (String) throws -> [String]
    ) throws -> (WriteAheadLog, Recovered) {
        do {
            try Directory.create(directory)
        } catch let error as SystemError {
            throw KVError.storage("cannot create data directory \(directory): \(error)")
        }
        let lock = try DataFile(path: directory + "/LOCK", mode: .lockFile)
        guard try lock.tryLockExclusively() else {
            throw KVError.storage(
                "\(lock.path): the data directory \(directory) is in use by another store; stop it or use another data directory"
            )
        }

        // A listing that fails must stop the open: taken as "empty", it would start a fresh log and
        // rename it over the existing one.
        let names: [String]
        do {
            names = try list(directory)
        } catch {
            throw KVError.storage(
                "cannot list data directory \(directory): \(error); nothing was changed. Check its permissions")
        }
        for name in names where name.hasSuffix(".tmp") { try DataFile.remove(directory + "/" + name) }
        let segments = names.compactMap(segmentNumber(of:)).sorted()

        var snapshot: Snapshot?
        let snapshotPath = directory + "/snapshot"
        if let bytes = try DataFile.contents(of: snapshotPath) {
            snapshot = try Snapshot(decoding: bytes, path: snapshotPath)
        }
        var nextLSN = (snapshot?.lsn ?? 0) + 1
        var records: [WALRecord] = []
        var covered: [Int] = []
        for (position, number) in segments.enumerated() {
            let path = segmentPath(directory, number)
            let isLast = position == segments.count - 1
            let read = try SegmentReader.read(path: path, isLast: isLast, log: log)
            if !isLast, let last = read.records.last?.lsn, last <= snapshot?.lsn ?? 0 { covered.append(number) }
            for record in read.records {
                if record.lsn < nextLSN { continue }
                guard record.lsn == nextLSN else {
                    throw KVError.storage(
                        "\(path): expected record \(nextLSN) but found \(record.lsn); the log is missing records. Restore from a backup or move the directory away"
                    )
                }
                records.append(record)
                nextLSN += 1
            }
            if let validLength = read.truncateTo {
                let file = try DataFile(path: path, mode: .write)
                try file.truncate(to: validLength)
                try file.sync()
            }
        }
        let number: Int
        let segment: DataFile
        if let last = segments.last {
            number = last
            segment = try DataFile(path: segmentPath(directory, last), mode: .append)
            // A crash between a snapshot and removing the segment it replaced leaves that segment behind.
            for older in covered { try DataFile.remove(segmentPath(directory, older)) }
        } else {
            number = 1
            segment = try createSegment(directory, number)
        }
        let wal = WriteAheadLog(directory: directory, lock: lock, segment: segment, segmentNumber: number)
        return (wal, Recovered(snapshot: snapshot, records: records))
    }

    /// Appends framed records; they are durable only after `sync`.
    /// - Throws: `KVError.storage`.
    func append(_ frames: [UInt8]) throws {
        try withStorageErrors { try segment.write(frames) }
        bytesWritten += Int64(frames.count)
    }

    /// `fdatasync` of the current segment.
    func sync() throws { try withStorageErrors { try segment.syncData() } }

    /// Writes `snapshot` durably, starts a new segment and removes the old one.
    ///
    /// Every step leaves a recoverable directory: the snapshot appears only by rename, a new
    /// segment only by rename after its header is durable, and records the snapshot already
    /// holds are skipped by LSN on recovery.
    /// - Throws: `KVError.storage`; the log keeps working on the old segment.
    func writeSnapshot(_ snapshot: Snapshot) throws {
        try withStorageErrors { try replaceWithSnapshot(snapshot) }
    }

    private func replaceWithSnapshot(_ snapshot: Snapshot) throws {
        let path = directory + "/snapshot"
        let temp = path + ".tmp"
        do {
            let file = try DataFile(path: temp, mode: .replace)
            try file.write(snapshot.encoded())
            try file.sync()
        }
        try DataFile.rename(temp, to: path)
        try DataFile.syncDirectory(directory)
        let next = segmentNumber + 1
        let fresh = try WriteAheadLog.createSegment(directory, next)
        let old = WriteAheadLog.segmentPath(directory, segmentNumber)
        segment = fresh
        segmentNumber = next
        try DataFile.remove(old)
    }

    static func segmentPath(_ directory: String, _ number: Int) -> String {
        directory + "/wal-" + String(number, zeroPaddedTo: 6) + ".log"
    }

    private static func segmentNumber(of name: String) -> Int? {
        guard name.hasPrefix("wal-"), name.hasSuffix(".log") else { return nil }
        return Int(name.dropFirst(4).dropLast(4))
    }

    private static func createSegment(_ directory: String, _ number: Int) throws -> DataFile {
        let path = segmentPath(directory, number)
        do {
            let temp = try DataFile(path: path + ".tmp", mode: .replace)
            try temp.write(segmentMagic)
            try temp.sync()
        }
        try DataFile.rename(path + ".tmp", to: path)
        try DataFile.syncDirectory(directory)
        return try DataFile(path: path, mode: .append)
    }
}

/// Runs file calls, turning a failed system call into the store's error with its errno kept for the operator.
func withStorageErrors<T: ~Copyable>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as SystemError {
        throw KVError.storage("\(error) (errno \(error.code))")
    }
}
