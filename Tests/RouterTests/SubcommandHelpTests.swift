import Platform
import TestSupport
import Testing

/// Each subcommand prints its own help and words usage errors the one way (`router CMD: reason`, status 2).
@Suite(.timeLimit(.minutes(1)))
struct SubcommandHelpTests {
    private func router(_ arguments: [String]) throws -> (status: Int32?, output: String) {
        let directory = try TemporaryDirectory("router-help")
        defer { directory.remove() }
        let process = try ChildProcess(BuiltProducts.path("router"), arguments, logPath: directory.file("out"))
        defer { process.kill9() }
        let status = process.waitForExit(timeout: .seconds(10))
        return (status, process.output)
    }

    @Test(arguments: [
        (["store", "--help"], "usage: router store --listen 127.0.0.1:2379 --data-dir PATH\n"),
        (["render", "-h"], "usage: router render TEMPLATE --kv FILE.json\n"),
    ])
    func helpIsTheSubcommandsOwn(_ arguments: [String], _ firstLine: String) throws {
        let result = try router(arguments)
        #expect(result.status == 0)
        #expect(result.output.hasPrefix(firstLine), "\(result.output)")
        #expect(!result.output.contains("commands:"), "printed the general help")
    }

    @Test(arguments: [
        (["render"], "router render: missing TEMPLATE\n"),
        (["render", "t.tmpl"], "router render: missing --kv FILE.json\n"),
        (["render", "a", "b", "--kv", "k"], "router render: unexpected argument 'b'\n"),
        (["render", "t", "--kvv", "k"], "router render: unknown flag '--kvv' (did you mean '--kv'?)\n"),
        (["store", "extra"], "router store: unexpected argument 'extra'\n"),
    ])
    func usageErrorsNameTheCommandOnOneLine(_ arguments: [String], _ message: String) throws {
        let result = try router(arguments)
        #expect(result.status == 2)
        #expect(result.output == message)
    }

    @Test func renderCheckConfigRendersBothFilesAndSaysSo() throws {
        let (dir, template, kv) = try renderFiles(template: "{{getv \"/a\"}}", kv: #"{"/a": "1"}"#)
        defer { dir.remove() }
        let ok = try router(["render", template, "--kv", kv, "--check-config", "--log-level", "debug"])
        #expect(ok.status == 0)
        #expect(ok.output == "router render: configuration ok\n")
        let (badDir, badTemplate, badKV) = try renderFiles(template: "{{getv \"/missing\"}}", kv: "{}")
        defer { badDir.remove() }
        let bad = try router(["render", badTemplate, "--kv", badKV, "--check-config"])
        #expect(bad.status == 2)
        #expect(bad.output.hasSuffix("key does not exist: /missing\n"), "\(bad.output)")
    }
}
