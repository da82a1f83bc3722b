import Foundation
import Platform

/// A rendered file written beside its destination (same directory, so the rename is atomic), with the
/// mode and owner the destination must end up with.
package struct StageFile: Sendable {
    package let path: String
    package let dest: String

    /// The facts confd compares: contents, permission bits, owner and group.
    package struct Facts: Sendable, Equatable {
        package var contents: [UInt8]
        package var mode: UInt32
        package var uid: Int
        package var gid: Int
    }

    /// Writes `contents` to `.<base(dest)><random>` in `dest`'s directory, then sets `mode` and the owner
    /// (nil: the process's own IDs, which a file it creates already has).
    /// - Throws: `SyncError.stage`; nothing is left behind.
    package static func create(
        _ contents: [UInt8], for dest: String, mode: UInt32, uid: Int?, gid: Int?
    ) throws(SyncError) -> StageFile {
        let directory = (dest as NSString).deletingLastPathComponent
        let base = (dest as NSString).lastPathComponent
        let path =
            (directory.isEmpty ? "." : directory) + "/." + base + String(UInt32.random(in: 100_000_000...999_999_999))
        do {
            // No fsync, as confd: readers see the old file or the new (rename), and ext4 flushes a file
            // renamed over another before the rename is committed (auto_da_alloc).
            let file = try DataFile(path: path, mode: .replace)
            try file.write(contents)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw .stage(dest: dest, reason: "\(error)")
        }
        var attributes: [FileAttributeKey: Any] = [.posixPermissions: NSNumber(value: mode)]
        if let uid { attributes[.ownerAccountID] = NSNumber(value: uid) }
        if let gid { attributes[.groupOwnerAccountID] = NSNumber(value: gid) }
        do {
            try FileManager.default.setAttributes(attributes, ofItemAtPath: path)
        } catch {
            // confd ignores chmod/chown errors here; the comparison then reports the difference.
            try? FileManager.default.setAttributes([.posixPermissions: NSNumber(value: mode)], ofItemAtPath: path)
        }
        return StageFile(path: path, dest: dest)
    }

    /// The facts of the file at `path`, following a symlink as confd's `os.Stat` does; nil when absent.
    /// `contents`, when given, stands for the file's bytes (already known), so they are not read again.
    package static func facts(of path: String, contents known: [UInt8]? = nil) -> Facts? {
        let target = (path as NSString).resolvingSymlinksInPath
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: target) else { return nil }
        let contents: [UInt8]
        if let known {
            contents = known
        } else {
            guard let data = FileManager.default.contents(atPath: target) else { return nil }
            contents = [UInt8](data)
        }
        return Facts(
            contents: contents,
            mode: ((attributes[.posixPermissions] as? NSNumber)?.uint32Value ?? 0) & 0o7777,
            uid: (attributes[.ownerAccountID] as? NSNumber)?.intValue ?? -1,
            gid: (attributes[.groupOwnerAccountID] as? NSNumber)?.intValue ?? -1)
    }

    /// The permission bits `dest` has now (following a symlink), for a resource without `mode`.
    package static func currentMode(of dest: String) -> UInt32? {
        let target = (dest as NSString).resolvingSymlinksInPath
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: target) else { return nil }
        return ((attributes[.posixPermissions] as? NSNumber)?.uint32Value).map { $0 & 0o7777 }
    }

    /// Renames the stage file onto `dest` in one step: readers see the old file or the new, never half.
    /// A symlink at `dest` is replaced by the file, as confd's `os.Rename` does.
    /// - Throws: `SyncError.install`; `dest` is unchanged.
    package func install() throws(SyncError) {
        do {
            try DataFile.rename(path, to: dest)
        } catch {
            throw .install(dest: dest, reason: "\(error)")
        }
    }

    /// Deletes the stage file (after a failed check, or when it was not needed).
    package func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
