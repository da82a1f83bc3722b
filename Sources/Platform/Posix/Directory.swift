import Glibc

/// The few directory calls a data directory needs: create, list, test for existence.
///
/// Failures are `SystemError`s naming the call and the path.
package enum Directory {
    /// Creates `path` and any missing parents with mode 0755, as `mkdir -p` does; an existing directory is fine.
    /// - Throws: `SystemError` ("mkdir PATH: …") for the first component that cannot be created; parents
    ///   made before it stay.
    package static func create(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += component
            if mkdir(prefix, 0o755) != 0 {
                let code = errno
                guard code == EEXIST, isDirectory(prefix) else {
                    throw SystemError("mkdir", address: prefix, code: code == EEXIST ? ENOTDIR : code)
                }
            }
            prefix += "/"
        }
    }

    /// The names in `path`, without `.` and `..`, in no particular order.
    /// - Throws: `SystemError` ("opendir PATH: …").
    package static func entries(of path: String) throws -> [String] {
        guard let stream = opendir(path) else { throw SystemError("opendir", address: path, code: errno) }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Whether `path` exists and is a directory (symbolic links followed).
    package static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Whether anything exists at `path` (symbolic links followed).
    package static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }
}
