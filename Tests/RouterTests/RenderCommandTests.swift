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
    ])
    func badInputExitsOneWithAReason(_ template: String, _ kv: String, _ expected: String) throws {
        let (dir, t, k) = try renderFiles(template: template, kv: kv)
        defer { dir.remove() }
        let result = try run([t, "--kv", k])
        #expect(result.status == 1)
        #expect(result.stderr == expected.replacingOccurrences(of: "KVPATH", with: k))
    }

    @Test func keysAreCleanedAsConfdStoresThem() throws {
        let (dir, t, k) = try renderFiles(
            template: #"{{getv "/a"}}|{{getv "/b/c"}}|{{ls "/b"}}|{{exists "/d/"}}"#,
            kv: #"{"a": "1", "/b//c/": "2", "/x/../d": "3"}"#)
        defer { dir.remove() }
        let result = try run([t, "--kv", k])
        #expect(result.stdout == "1|2|[c]|false")
        #expect(result.status == 0)
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

/// Hostile templates and store values fed to the built `router render` under a 4 GB address-space
/// limit: each ends in its output or one line of error with exit 1, never a signal (issue 7).
@Suite(.serialized, .timeLimit(.minutes(10)))
struct RenderHostileInputTests {
    enum Outcome: Sendable, CustomStringConvertible {
        /// Exit 0 with exactly this output.
        case output(String)
        /// Exit 1 with one line on stderr ending in this text.
        case error(String)

        var description: String {
            switch self {
            case .output(let s): "output \(s.prefix(40))"
            case .error(let s): "error …\(s.suffix(60))"
            }
        }
    }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var template: String
        var kv: String = "{}"
        var outcome: Outcome
        var description: String { name }
    }

    private static func deep(_ open: String, _ middle: String, _ close: String, _ count: Int) -> String {
        String(repeating: open, count: count) + middle + String(repeating: close, count: count)
    }

    /// A JSON string literal holding `text` (for key files).
    private static func json(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static let cases: [Case] = [
        Case(
            name: "seq to Int.max", template: "{{seq 0 9223372036854775807}}",
            outcome: .error("error calling seq: seq 0 9223372036854775807: more than 1000000 items")),
        Case(
            name: "seq of 10^11 items", template: "{{seq 1 100000000000}}",
            outcome: .error("error calling seq: seq 1 100000000000: more than 1000000 items")),
        Case(
            name: "seq bounds from the store", template: #"{{range seq 1 (atoi (getv "/n"))}}{{end}}"#,
            kv: #"{"/n": "9223372036854775807"}"#,
            outcome: .error("error calling seq: seq 1 9223372036854775807: more than 1000000 items")),
        Case(
            name: "printf width of 20 digits", template: #"{{printf "%99999999999999999999d" 1}}"#,
            outcome: .output("%!(NOVERB)%!(EXTRA int=1)")),
        Case(
            name: "printf precision of 20 digits", template: #"{{printf "%.99999999999999999999f" 1.5}}"#,
            outcome: .output("%!(NOVERB)%!(EXTRA float64=1.5)")),
        Case(
            name: "printf * width beyond Go's limit", template: #"{{printf "%*d|%.*d" 1000001 1 -1000001 2}}"#,
            outcome: .output("%!(BADWIDTH)1|%!(BADPREC)2")),
        Case(
            name: "printf format from the store", template: #"{{printf (getv "/f") 1}}"#,
            kv: #"{"/f": \#(json(String(repeating: "%9999999[1]d", count: 20)))}"#,
            outcome: .error("error calling printf: formatted value is longer than 67108864 bytes")),
        Case(
            name: "div by zero", template: "{{div 1 0}}",
            outcome: .error("error calling div: runtime error: integer divide by zero")),
        Case(
            name: "mod by zero from the store", template: #"{{mod 7 (atoi (getv "/z"))}}"#, kv: #"{"/z": "0"}"#,
            outcome: .error("error calling mod: runtime error: integer divide by zero")),
        Case(
            name: "Int.min / -1 and overflow wrap",
            template: "{{div -9223372036854775808 -1}} {{mod -9223372036854775808 -1}} {{add 9223372036854775807 1}} "
                + "{{mul 4611686018427387904 2}} {{sub -9223372036854775808 1}}",
            outcome: .output("-9223372036854775808 0 -9223372036854775808 -9223372036854775808 9223372036854775807")),
        Case(
            name: "100,000 nested parentheses", template: "{{" + deep("(", "1", ")", 100_000) + "}}",
            outcome: .error("exceeded maximum nesting depth (100)")),
        Case(
            name: "100,000 nested ifs", template: deep("{{if 1}}", "x", "{{end}}", 100_000),
            outcome: .error("exceeded maximum nesting depth (100)")),
        Case(
            name: "100,000 nested ranges", template: deep("{{range seq 1 1}}", "x", "{{end}}", 100_000),
            outcome: .error("exceeded maximum nesting depth (100)")),
        Case(
            name: "100,000 else ifs",
            template: "{{if 0}}" + String(repeating: "{{else if 0}}", count: 100_000) + "{{end}}",
            outcome: .error("exceeded maximum nesting depth (100)")),
        Case(
            name: "endless template recursion", template: #"{{define "r"}}{{template "r" .}}{{end}}{{template "r"}}"#,
            outcome: .error("exceeded maximum template depth (100)")),
        Case(
            name: "recursion through nested ifs",
            template: #"{{define "r"}}"# + deep("{{if 1}}", #"{{template "r" .}}"#, "{{end}}", 60)
                + #"{{end}}{{template "r" 1}}"#,
            outcome: .error("exceeded maximum nesting depth (1000)")),
        Case(
            name: "json nested 100,000 deep in the store", template: #"{{json (getv "/v")}}"#,
            kv: #"{"/v": \#(json(String(repeating: "{\"a\":", count: 100_000)))}"#,
            outcome: .error("error calling json: exceeded max depth of 100")),
        Case(
            name: "jsonArray nested 100,000 deep in the store", template: #"{{jsonArray (getv "/v")}}"#,
            kv: #"{"/v": \#(json(String(repeating: "[", count: 100_000)))}"#,
            outcome: .error("error calling jsonArray: exceeded max depth of 100")),
        Case(
            name: "json number beyond float64", template: #"{{(json (getv "/v")).a}}"#, kv: #"{"/v": "{\"a\":1e999}"}"#,
            outcome: .error("error calling json: json: cannot unmarshal number 1e999 into Go value of type float64")),
        Case(
            name: "a map nested in itself in a loop",
            template: #"{{$m := map "a" 1}}{{range seq 1 1000}}{{$m = map "a" $m}}{{end}}{{$m}}"#,
            outcome: .error("error calling map: value nested deeper than 128 levels")),
        Case(
            name: "output beyond 256 MiB", template: #"{{range seq 1 1000}}{{printf "%9999999d" 1}}{{end}}"#,
            outcome: .error("output is longer than 268435456 bytes")),
        Case(
            name: "values beyond the render budget",
            template: #"{{range seq 1 1000}}{{$x := printf "%9999999d" 1}}{{end}}"#,
            outcome: .error("functions made more than 1073741824 bytes of values")),
        Case(
            name: "join with a long separator", template: #"{{join (split (getv "/v") "") (printf "%999999s" "")}}"#,
            kv: #"{"/v": \#(json(String(repeating: "a", count: 1000)))}"#,
            outcome: .error("error calling join: formatted value is longer than 67108864 bytes")),
        Case(
            name: "replace with a long replacement", template: #"{{replace (getv "/v") "" (printf "%999999s" "") -1}}"#,
            kv: #"{"/v": \#(json(String(repeating: "a", count: 1000)))}"#,
            outcome: .error("error calling replace: formatted value is longer than 67108864 bytes")),
        Case(
            name: "a malformed glob from the store", template: #"{{gets (getv "/p")}}"#, kv: #"{"/p": "[", "/a": "1"}"#,
            outcome: .error("error calling gets: syntax error in pattern")),
        Case(
            name: "a 20 MB store value split into runes", template: #"{{len (split (getv "/v") "")}}"#,
            kv: #"{"/v": \#(json(String(repeating: "é", count: 1_000_000)))}"#, outcome: .output("1000000")),
        Case(
            name: "a constant beyond int64", template: "{{9223372036854775808}}",
            outcome: .error("9223372036854775808 overflows int")),
        Case(
            name: "a key file nested 100,000 deep", template: "x", kv: String(repeating: "[", count: 100_000),
            outcome: .error("exceeded max depth of 64")),
        Case(
            name: "invalid UTF-8 escapes in a store value", template: #"{{len (getv "/v")}}"#,
            kv: #"{"/v": "\ud800\udfff\ud800"}"#, outcome: .output("7")),
    ]

    @Test(arguments: cases)
    func endsInOutputOrOneErrorLineNeverASignal(_ hostile: Case) throws {
        let (dir, t, k) = try renderFiles(template: hostile.template, kv: hostile.kv)
        defer { dir.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        // 4 GB of address space: an allocation the renderer did not bound fails here, as it would on a small box.
        process.arguments = [
            "-c", #"ulimit -v 4000000; exec "$0" render "$1" --kv "$2""#, BuiltProducts.path("router"), t, k,
        ]
        let out = try TemporaryFile(in: dir, "stdout")
        let err = try TemporaryFile(in: dir, "stderr")
        process.standardOutput = out.handle
        process.standardError = err.handle
        try process.run()
        process.waitUntilExit()
        let stdout = try out.contents()
        let stderr = try err.contents()
        #expect(process.terminationReason == .exit, "\(hostile.name): killed by signal \(process.terminationStatus)")
        switch hostile.outcome {
        case .output(let expected):
            #expect(process.terminationStatus == 0, "\(hostile.name): \(stderr)")
            #expect(stdout == expected)
            #expect(stderr.isEmpty)
        case .error(let suffix):
            #expect(process.terminationStatus == 1, "\(hostile.name)")
            #expect(stdout.isEmpty)
            #expect(stderr.hasSuffix(suffix + "\n"), "\(hostile.name): \(stderr.prefix(300))")
            #expect(stderr.filter { $0 == "\n" }.count == 1, "\(hostile.name): more than one line")
        }
    }
}

/// A file a child writes its output to (a pipe would fill and block on long output).
private struct TemporaryFile {
    let path: String
    let handle: FileHandle

    init(in dir: TemporaryDirectory, _ name: String) throws {
        path = dir.file(name)
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    func contents() throws -> String {
        try handle.close()
        return String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }
}
