import Foundation
import Templates

/// The keys every conformance case renders against (bench/templates/conformance/fixture.json).
let fixture: [String: String] = [
    "/a": "1",
    "/b": "x",
    "/deep/a/b/c/d": "deep",
    "/jarr": "[\"c\",\"a\",\"b\"]",
    "/json": "{\"port\":8080,\"big\":1000000,\"f\":1.5,\"arr\":[1,\"a\",null,true],\"o\":{\"x\":1}}",
    "/services/top": "t",
    "/services/web/app1/app1@1": "10.0.0.1:80",
    "/services/web/app1/app1@1/x": "nested",
    "/services/web/app1/app1@2": "10.0.0.2:80",
    "/services/web/b/b@1": "10.0.1.1:8080",
    "/trail/": "slash",
    "/ü/ñ": "unicode",
]

/// An environment with no variables, files or DNS, and a fixed clock, so renders are repeatable.
let quietEnvironment = ConfdEnvironment(
    variable: { name in name == "ROUTER_DOMAIN" ? "example.com" : nil },
    fileExists: { $0 == "/etc/present" },
    lookupIP: { $0 == "db.local" ? ["10.0.0.2", "::1", "10.0.0.10"] : [] },
    lookupSRV: { _, _, name in
        name == "example.com"
            ? [
                SRVRecord(target: "b.example.com.", port: 80, priority: 1, weight: 5),
                SRVRecord(target: "a.example.com.", port: 8080, priority: 2, weight: 1),
            ] : []
    },
    now: { Date(timeIntervalSince1970: 1_700_000_000.123456789) }
)

/// Renders `text` as confd would (file name `case.tmpl`, nil data), returning output or the error text.
func render(_ text: String, keys: [String: String] = fixture, environment: ConfdEnvironment = quietEnvironment)
    -> String
{
    do {
        let template = try Template(name: "case.tmpl", text: text)
        return try template.render(functions: .confd(SortedKeySnapshot(keys), environment: environment))
    } catch {
        return "ERROR: " + error.description
    }
}

/// The error a template fails with, or nil when it renders.
func failure(_ text: String, keys: [String: String] = fixture) -> String? {
    let result = render(text, keys: keys)
    return result.hasPrefix("ERROR: ") ? String(result.dropFirst(7)) : nil
}

/// `render`, with a parse error worded as Go words it (`case.tmpl:LINE: msg`, no column).
func goResult(_ text: String, environment: ConfdEnvironment = quietEnvironment) -> String {
    let result = render(text, environment: environment)
    let parts = result.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
    guard parts.count == 6, Int(parts[3]) != nil, Int(parts[4]) != nil, !parts[5].hasPrefix(" executing") else {
        return result
    }
    return parts[0...3].joined(separator: ":") + ":" + parts[5]
}
