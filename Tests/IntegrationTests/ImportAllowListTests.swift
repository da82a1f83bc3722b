import Foundation
import TestSupport
import Testing

/// `scripts/check-imports` keeps DESIGN.md's arrows: shown failing on a copy of the tree with one bad import.
@Suite(.timeLimit(.minutes(1)))
struct ImportAllowListTests {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    private func checkImports(root: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.repository.appendingPathComponent("scripts/check-imports").path, "--root", root]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    private func tree(with files: [String: String]) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory("imports")
        for (path, text) in files {
            let file = directory.file(path)
            try FileManager.default.createDirectory(
                atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
        return directory
    }

    @Test func theRepositoryPassesItsOwnCheck() throws {
        let result = try checkImports(root: Self.repository.path)
        #expect(result.status == 0, "\(result.output)")
    }

    @Test(arguments: [
        ("Sources/HTTP/Bad.swift", "import Foundation", "imports 'Foundation', not allowed in Sources/HTTP"),
        ("Sources/KV/Bad.swift", "import Glibc", "imports 'Glibc', not allowed in Sources/KV"),
        ("Sources/Templates/Bad.swift", "import HTTP", "imports 'HTTP', not allowed in Sources/Templates"),
        ("Sources/Proxy/Bad.swift", "import Sync", "imports 'Sync', not allowed in Sources/Proxy"),
        (
            "Sources/Platform/Bad.swift", "@preconcurrency import HTTP",
            "imports 'HTTP', not allowed in Sources/Platform"
        ),
        ("Sources/Formats/Bad.swift", "import Platform", "imports 'Platform', not allowed in Sources/Formats"),
    ])
    func aForbiddenImportFailsTheCheck(_ path: String, _ line: String, _ message: String) throws {
        let directory = try tree(with: [
            path: "\(line)\n", "Sources/HTTP/Good.swift": "import Platform\nimport Synchronization\n",
        ])
        defer { directory.remove() }
        let result = try checkImports(root: directory.path)
        #expect(result.status == 1)
        #expect(result.output.contains("check-imports: \(path):1 \(message)"), "\(result.output)")
    }

    @Test func allowedImportsPass() throws {
        let directory = try tree(with: [
            "Sources/HTTP/Good.swift": "import Platform\n", "Sources/Sync/Good.swift": "import KV\nimport Templates\n",
        ])
        defer { directory.remove() }
        #expect(try checkImports(root: directory.path).status == 0)
    }
}
