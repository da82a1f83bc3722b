import Templates
import Testing

/// Malformed or hostile templates fail with a located error; none crashes or hangs.
struct RobustnessTests {
    @Test func recursionStopsAtTheDepthCap() {
        let message = failure(#"{{define "loop"}}{{template "loop" .}}{{end}}{{template "loop" 1}}"#)
        #expect(message?.hasSuffix("exceeded maximum template depth (100)") == true)
    }

    @Test func deeplyNestedRecursionBelowTheCapRenders() {
        #expect(
            render(#"{{define "r"}}{{if gt . 0}}.{{template "r" (sub . 1)}}{{end}}{{end}}{{template "r" 90}}"#)
                == String(repeating: ".", count: 90))
    }

    @Test(arguments: [
        ("{{", "template: case.tmpl:1:0: unclosed action"),
        ("a\nb {{ if", "template: case.tmpl:2:2: unclosed action"),
        ("{{if 1}}", "template: case.tmpl:1:8: unexpected EOF"),
        ("{{range .}}{{if 1}}{{end}}", "template: case.tmpl:1:26: unexpected EOF"),
        ("{{nope 1}}", #"template: case.tmpl:1:2: function "nope" not defined"#),
        ("x\n  {{$y}}", #"template: case.tmpl:2:4: undefined variable "$y""#),
        ("{{1.2.3}}", #"template: case.tmpl:1:2: bad number syntax: "1.2.3""#),
        (#"{{"open}}"#, "template: case.tmpl:1:2: unterminated quoted string"),
        ("{{'\\q'}}", #"template: case.tmpl:1:2: malformed character constant: '\q'"#),
        ("{{\u{1}}}", "template: case.tmpl:1:2: unrecognized character in action: U+0001 '\u{1}'"),
    ])
    func malformedTemplatesNameTheirLineAndColumn(_ text: String, _ expected: String) {
        #expect(failure(text) == expected)
    }

    @Test func aFailedRenderReturnsNoPartialOutput() throws {
        let template = try Template(name: "t", text: #"before {{getv "/missing"}} after"#)
        #expect(throws: TemplateError.self) { try template.render(SortedKeySnapshot([:]), environment: .fixed()) }
    }

    @Test func errorsDescribeLikeGo() {
        let error = TemplateError.execution(
            name: "apps.tmpl", template: "apps.tmpl", line: 12, column: 7, context: #"getv "/x""#,
            message: "error calling getv: key does not exist: /x")
        #expect(
            error.description
                == #"template: apps.tmpl:12:7: executing "apps.tmpl" at <getv "/x">: error calling getv: key does not exist: /x"#
        )
    }

    @Test func everyByteOfAValidTemplateCutShortFailsCleanly() {
        let text = #"{{range $i, $d := lsdir "/services/web"}}{{if gt $i 0}},{{end}}{{printf "%q" $d}}{{end}}"#
        let bytes = Array(text.utf8)
        for cut in 0..<bytes.count {
            _ = render(String(decoding: bytes[..<cut], as: UTF8.self))  // must return, error or not
        }
    }
}
