import Foundation
import Router
import TestSupport
import Testing

/// `router render TEMPLATE --kv FILE.json`, run through the built binary so stdout, stderr
/// and exit status are observed exactly as a user sees them (once main.swift routes `render`
/// to `RenderCommand.run`), and in process through `RenderCommand.render`.
@Suite(.serialized)
struct RenderCommandTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/router")
    }

    func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["render"] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func rendersToStandardOutputAndExitsZero() throws {
        let (dir, t, k) = try renderFiles(
            template: #"{{range gets "/services/web/a/*"}}server {{.Value}};{{"\n"}}{{end}}"#,
            kv: #"{"/services/web/a/a@2": "10.0.0.2:80", "/services/web/a/a@1": "10.0.0.1:80"}"#)
        defer { dir.remove() }
        let result = try run([t, "--kv", k])
        #expect(result.status == 0)
        #expect(result.stdout == "server 10.0.0.1:80;\nserver 10.0.0.2:80;\n")
        #expect(result.stderr.isEmpty)
    }

    @Test func aTemplateErrorIsOneLineOnStandardErrorAndExitsOne() throws {
        let (dir, t, k) = try renderFiles(template: "line one\n{{getv \"/x\"}}", kv: "{}")
        defer { dir.remove() }
        let result = try run([t, "--kv", k])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(
            result.stderr
                == "template: apps.tmpl:2:2: executing \"apps.tmpl\" at <getv \"/x\">: error calling getv: key does not exist: /x\n"
        )
    }

    @Test(arguments: [
        ("{{if}}", "{}", "template: apps.tmpl:1:4: missing value for if\n"),
        ("x", "[1]", "render: KVPATH: expected a JSON object of key to string value\n"),
        ("x", #"{"/a": 1}"#, "render: KVPATH: value of /a is not a string\n"),
        ("x", "{", "render: KVPATH: invalid JSON at byte 1: unexpected end of JSON input\n"),
        (
            "x", #"{"/a": "1",}"#,
            "render: KVPATH: invalid JSON at byte 11: invalid character '}' looking for beginning of object key string\n"
        ),
        ("x", #"{"a": "1"}"#, "render: KVPATH: key 'a' is not absolute (keys start with /)\n"),
    ])
    func badInputExitsOneWithAReason(_ template: String, _ kv: String, _ expected: String) throws {
        let (dir, t, k) = try renderFiles(template: template, kv: kv)
        defer { dir.remove() }
        let result = try run([t, "--kv", k])
        #expect(result.status == 1)
        #expect(result.stderr == expected.replacingOccurrences(of: "KVPATH", with: k))
    }

    @Test func aMissingFileExitsOne() throws {
        let result = try run(["/nonexistent/t.tmpl", "--kv", "/nonexistent/kv.json"])
        #expect(result.status == 1)
        #expect(result.stderr == "render: cannot read template /nonexistent/t.tmpl\n")
    }

    @Test(arguments: [[], ["t.tmpl"], ["--kv", "x.json"], ["a", "b", "--kv", "x"], ["t", "--bogus"], ["t", "--kv"]])
    func usageErrorsExitTwo(_ arguments: [String]) throws {
        let result = try run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("router render: "))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func helpExitsZero() throws {
        let result = try run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("usage: router render TEMPLATE --kv FILE.json"))
    }
}

/// The same behaviour in process, independent of main.swift's wiring.
struct RenderCommandInProcessTests {
    @Test func rendersKeysFromTheJSONFile() throws {
        let (dir, t, k) = try renderFiles(
            template:
                #"{{range lsdir "/services/web"}}{{.}}:{{join (getvs (printf "/services/web/%s/*" .)) ","}};{{end}}"#,
            kv:
                #"{"/services/web/b/b@1": "10.0.0.3:80", "/services/web/a/a@2": "10.0.0.2:80", "/services/web/a/a@1": "10.0.0.1:80"}"#
        )
        defer { dir.remove() }
        #expect(
            RenderCommand.render(templatePath: t, kvPath: k) == .success("a:10.0.0.1:80,10.0.0.2:80;b:10.0.0.3:80;"))
    }

    @Test func aTemplateErrorIsGoWordedAndNamesTheFile() throws {
        let (dir, t, k) = try renderFiles(template: "x\n  {{getv \"/x\"}}", kv: "{}")
        defer { dir.remove() }
        #expect(
            RenderCommand.render(templatePath: t, kvPath: k)
                == .failure(
                    .init(
                        description:
                            #"template: apps.tmpl:2:4: executing "apps.tmpl" at <getv "/x">: error calling getv: key does not exist: /x"#
                    )))
    }

    @Test(arguments: [["--kv"], [], ["t.tmpl"], ["--kv", "k.json"], ["t", "u", "--kv", "k"], ["--what"]])
    func usageErrorsReturnTwo(_ arguments: [String]) async {
        #expect(await RenderCommand.run(arguments) == 2)
    }
}

/// A template and a key file in a fresh directory; the caller removes the directory.
func renderFiles(template: String, kv: String) throws -> (TemporaryDirectory, String, String) {
    let dir = try TemporaryDirectory("render")
    try template.write(toFile: dir.file("apps.tmpl"), atomically: true, encoding: .utf8)
    try kv.write(toFile: dir.file("kv.json"), atomically: true, encoding: .utf8)
    return (dir, dir.file("apps.tmpl"), dir.file("kv.json"))
}
