import Foundation
import Platform

/// A fresh directory under the system temp dir, removed by `remove()`.
package struct TemporaryDirectory: Sendable {
    package let path: String

    package init(_ label: String = "switchboard") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `path/name`.
    package func file(_ name: String) -> String { "\(path)/\(name)" }

    package func remove() { try? FileManager.default.removeItem(atPath: path) }
}
