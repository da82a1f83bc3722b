import Foundation
import Platform
import Sync
import TestSupport

/// A confdir in a temporary directory: `conf.d/`, `templates/` and an `out/` for destinations.
struct Confdir {
    let root: TemporaryDirectory
    var path: String { root.path }
    var out: String { root.file("out") }

    init() throws {
        root = try TemporaryDirectory("sync")
        for dir in ["conf.d", "templates", "out"] {
            try FileManager.default.createDirectory(atPath: root.file(dir), withIntermediateDirectories: true)
        }
    }

    func write(_ relative: String, _ text: String) throws {
        let path = root.file(relative)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A resource `conf.d/<name>.toml` rendering `templates/<name>.tmpl` to `out/<name>.conf`.
    func resource(_ name: String, template: String, keys: [String] = ["/services/web"], extra: String = "") throws {
        try write("templates/\(name).tmpl", template)
        let keyList = keys.map { "\"\($0)\"" }.joined(separator: ", ")
        try write(
            "conf.d/\(name).toml",
            "[template]\nsrc = \"\(name).tmpl\"\ndest = \"\(out)/\(name).conf\"\nkeys = [\(keyList)]\n\(extra)")
    }

    var configuration: SyncConfiguration { SyncConfiguration(confDirectory: path) }

    func remove() { root.remove() }
}

/// Keys held in memory, for engine tests that need no store.
struct FixedBackend: SyncBackend {
    var pairs: [String: String]
    var fails = false
    let reads = Locked(0)

    func read(_ keys: [String]) async throws -> KeyRead {
        reads.withLock { $0 += 1 }
        if fails { throw SyncError.read("store down") }
        return KeyRead(
            pairs: pairs.filter { entry in keys.contains { EtcdBackend.matches(entry.key, $0) } }, revision: 1)
    }

    func watch(_ keys: [String], after revision: Int64) -> AsyncThrowingStream<BackendChange, any Error> {
        AsyncThrowingStream { $0.finish() }
    }

    func probe() async -> Bool { !fails }
}

/// Collects `--noop` output.
final class OutputCollector: Sendable {
    private let text = Locked("")
    var written: String { text.withLock { $0 } }
    var sink: @Sendable (String) -> Void { { [text] chunk in text.withLock { $0 += chunk } } }
}

extension MemoryLogSink {
    /// The `msg=` parts of the lines written, for asserting what was logged.
    var messages: [String] {
        written.compactMap { line in
            guard let range = line.range(of: " msg=") else { return nil }
            let rest = line[range.upperBound...]
            if rest.hasPrefix("\"") {
                let body = rest.dropFirst()
                return body.firstIndex(of: "\"").map { String(body[..<$0]) }
            }
            return String(rest.prefix { $0 != " " })
        }
    }
}
