import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An open file of the data directory, with the few POSIX calls durability needs.
///
/// These calls stay here rather than in `HTTP/Posix/` because only the WAL needs them and the
/// store must not depend on the event-loop layer's internals.
struct DataFile: ~Copyable {
    let path: String
    private let fd: Int32

    /// Opens `path` with `flags` (`O_CREAT` files get mode 0644).
    /// - Throws: `KVError.storage` naming the path and errno.
    init(path: String, flags: Int32) throws {
        self.path = path
        let fd = open(path, flags | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DataFile.failure("open", path) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Writes every byte, retrying short writes and interrupts.
    /// - Throws: `KVError.storage`; part of `bytes` may have reached the file.
    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DataFile.failure("write", path)
                }
                done += n
            }
        }
    }

    /// Makes written data durable (`fdatasync`).
    func syncData() throws {
        while fdatasync(fd) != 0 {
            if errno != EINTR { throw DataFile.failure("fdatasync", path) }
        }
    }

    /// Makes data and metadata durable (`fsync`), for files about to be renamed.
    func sync() throws {
        while fsync(fd) != 0 {
            if errno != EINTR { throw DataFile.failure("fsync", path) }
        }
    }

    /// Cuts the file to `length` bytes and moves the write position there.
    func truncate(to length: Int) throws {
        guard ftruncate(fd, off_t(length)) == 0 else { throw DataFile.failure("ftruncate", path) }
        guard lseek(fd, off_t(length), SEEK_SET) >= 0 else { throw DataFile.failure("lseek", path) }
    }

    /// Takes an exclusive advisory lock, failing at once when another open description holds it.
    /// - Throws: `KVError.storage` saying the directory is in use.
    func lockExclusively(directory: String) throws {
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            if errno == EWOULDBLOCK {
                throw KVError.storage(
                    "\(path): the data directory \(directory) is in use by another store; stop it or use another data directory"
                )
            }
            throw DataFile.failure("flock", path)
        }
    }

    /// Drops the advisory lock, so a store reopened in this process can take it before this value is freed.
    func unlock() { _ = flock(fd, LOCK_UN) }

    /// Reads a whole file; nil when it does not exist.
    /// - Throws: `KVError.storage` for any other failure.
    static func contents(of path: String) throws -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KVError.storage("\(path): cannot be read")
        }
        return [UInt8](data)
    }

    /// Makes renames and creations inside `directory` durable.
    static func syncDirectory(_ directory: String) throws {
        let dir = try DataFile(path: directory, flags: O_RDONLY | O_DIRECTORY)
        try dir.sync()
    }

    /// Renames atomically.
    static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw failure("rename to \(to)", from) }
    }

    /// Removes a file; a missing file is not an error.
    static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("unlink", path) }
    }

    static func failure(_ call: String, _ path: String) -> KVError {
        let code = errno
        return KVError.storage("\(call) \(path): \(String(cString: strerror(code))) (errno \(code))")
    }
}
