import Glibc

/// An open file with the few POSIX calls durability needs: full writes, `fdatasync`, truncation, `flock`.
///
/// Failures are `SystemError`s naming the call and the path; callers decide what they mean.
package struct DataFile: ~Copyable {
    /// How to open a file.
    package enum Mode: Sendable {
        /// Read-write, created when missing (lock files).
        case lockFile
        /// Write-only at the current end, no truncation.
        case write
        /// Append-only.
        case append
        /// Write-only, created or emptied.
        case replace
        /// A directory, only to sync its entries.
        case directory

        var flags: Int32 {
            switch self {
            case .lockFile: O_RDWR | O_CREAT
            case .write: O_WRONLY
            case .append: O_WRONLY | O_APPEND
            case .replace: O_WRONLY | O_CREAT | O_TRUNC
            case .directory: O_RDONLY | O_DIRECTORY
            }
        }
    }

    package let path: String
    private let fd: Int32

    /// Opens `path` (created files get mode 0644).
    /// - Throws: `SystemError` ("open PATH: …").
    package init(path: String, mode: Mode) throws {
        self.path = path
        let fd = open(path, mode.flags | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DataFile.failure("open", path) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Writes every byte, retrying short writes and interrupts.
    /// - Throws: `SystemError`; part of `bytes` may have reached the file.
    package func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var done = 0
            while done < buffer.count {
                let n = Glibc.write(fd, base + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DataFile.failure("write", path)
                }
                done += n
            }
        }
    }

    /// Makes written data durable (`fdatasync`).
    package func syncData() throws {
        while fdatasync(fd) != 0 {
            if errno != EINTR { throw DataFile.failure("fdatasync", path) }
        }
    }

    /// Makes data and metadata durable (`fsync`), for files about to be renamed.
    package func sync() throws {
        while fsync(fd) != 0 {
            if errno != EINTR { throw DataFile.failure("fsync", path) }
        }
    }

    /// Cuts the file to `length` bytes and moves the write position there.
    package func truncate(to length: Int) throws {
        guard ftruncate(fd, off_t(length)) == 0 else { throw DataFile.failure("ftruncate", path) }
        guard lseek(fd, off_t(length), SEEK_SET) >= 0 else { throw DataFile.failure("lseek", path) }
    }

    /// Takes an exclusive advisory lock without waiting.
    /// - Returns: false when another open file description holds it.
    /// - Throws: `SystemError` for any other failure.
    package func tryLockExclusively() throws -> Bool {
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
        if errno == EWOULDBLOCK { return false }
        throw DataFile.failure("flock", path)
    }

    /// Drops the advisory lock, so a store reopened in this process can take it before this value is freed.
    package func unlock() { _ = flock(fd, LOCK_UN) }

    /// Reads a whole file; nil when it does not exist.
    /// - Throws: `SystemError` ("open PATH: …", "read PATH: …") for any other failure.
    package static func contents(of path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw failure("open", path)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("read", path)
            }
            if n == 0 { return bytes }
            bytes += chunk[..<n]
        }
    }

    /// Makes renames and creations inside `directory` durable.
    package static func syncDirectory(_ directory: String) throws {
        let dir = try DataFile(path: directory, mode: .directory)
        try dir.sync()
    }

    /// Renames atomically.
    package static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw failure("rename to \(to)", from) }
    }

    /// Removes a file; a missing file is not an error.
    package static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("unlink", path) }
    }

    private static func failure(_ call: String, _ path: String) -> SystemError {
        SystemError(call, address: path, code: errno)
    }
}
