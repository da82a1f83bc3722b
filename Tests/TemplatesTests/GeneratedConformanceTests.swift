import Formats
import Foundation
import Templates
import Testing

/// Hundreds of random templates from the grammar (bench/templates/conformance/random_templates.py,
/// fixed seed), each rendered by real Go with confd's functions; the results are committed data in
/// bench/templates/conformance/generated.json. Every case must render exactly as Go did, or fail
/// with exactly Go's error (parse errors carry an extra column).
struct GeneratedConformanceTests {
    struct Case: Sendable, CustomStringConvertible {
        var template: String
        var output: String?
        var error: String?
        var description: String { template }
    }

    static let cases: [Case] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("bench/templates/conformance/generated.json").path
        guard let data = FileManager.default.contents(atPath: path),
            let json = try? JSONParser.parse([UInt8](data), maxDepth: 8), case .array(let items)? = json["cases"]
        else { return [] }
        return items.compactMap { item in
            guard case .string(let template)? = item["template"] else { return nil }
            var c = Case(template: template)
            if case .string(let output)? = item["output"] { c.output = output }
            if case .string(let error)? = item["error"] { c.error = error }
            return c
        }
    }()

    @Test func theDataHoldsHundredsOfCases() {
        #expect(Self.cases.count >= 500)
        #expect(Self.cases.filter { $0.output != nil }.count >= 150)
    }

    @Test(arguments: cases)
    func rendersAsGoDid(_ c: Case) {
        let result = render(c.template)
        if let output = c.output {
            #expect(result == output)
        } else if let error = c.error {
            #expect(Self.withoutParseColumn(result) == "ERROR: " + error)
        }
    }

    /// `ERROR: template: case.tmpl:L:C: msg` as Go words parse errors: `template: case.tmpl:L: msg`.
    private static func withoutParseColumn(_ result: String) -> String {
        let parts = result.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, Int(parts[3]) != nil, Int(parts[4]) != nil,
            !parts[5].hasPrefix(" executing")
        else { return result }
        return parts[0...3].joined(separator: ":") + ":" + parts[5]
    }
}
