import Foundation

/// Finds resource files as confd does: `<confdir>/conf.d` walked recursively in lexical order
/// (Go's `filepath.Walk`), every non-directory whose name matches `*toml`.
package enum ResourceDirectory {
    /// The resource file paths, in confd's processing order.
    /// - Throws: `SyncError.resourceFile` when `confDirectory` cannot be listed.
    package static func resourceFiles(in confDirectory: String) throws(SyncError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: confDirectory, isDirectory: &isDirectory) else {
            throw .resourceFile(path: confDirectory, reason: "stat \(confDirectory): no such file or directory")
        }
        guard isDirectory.boolValue else {
            // confd treats a file given as the directory as the one resource.
            return [confDirectory]
        }
        var found: [String] = []
        walk(confDirectory, into: &found)
        return found
    }

    private static func walk(_ directory: String, into found: inout [String]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        // Go sorts names by bytes.
        for name in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            let type = (try? FileManager.default.attributesOfItem(atPath: path)[.type]) as? FileAttributeType
            if type == .typeDirectory {
                walk(path, into: &found)
                continue
            }
            guard name.hasSuffix("toml") else { continue }
            var isDirectory: ObjCBool = false
            // A symlink counts by what it points to, as confd's os.Stat does.
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                continue
            }
            found.append(path)
        }
    }
}
