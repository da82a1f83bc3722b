import Templates
import Testing

/// Templates and values an attacker could write end in output or one clear error: never a trap,
/// a stack overflow or an allocation the process cannot survive (issue 7).
struct HostileInputTests {
    private static func nested(_ open: String, _ middle: String, _ close: String, _ count: Int) -> String {
        String(repeating: open, count: count) + middle + String(repeating: close, count: count)
    }

    @Test(arguments: [
        (
            "{{seq 0 9223372036854775807}}",
            #"template: case.tmpl:1:2: executing "case.tmpl" at <seq 0 9223372036854775807>: error calling seq: seq 0 9223372036854775807: more than 1000000 items"#
        ),
        (
            "{{seq 1 100000000000}}",
            #"template: case.tmpl:1:2: executing "case.tmpl" at <seq 1 100000000000>: error calling seq: seq 1 100000000000: more than 1000000 items"#
        ),
        (
            "{{seq -9223372036854775808 9223372036854775807}}",
            #"template: case.tmpl:1:2: executing "case.tmpl" at <seq -9223372036854775808 9223372036854775807>: error calling seq: seq -9223372036854775808 9223372036854775807: more than 1000000 items"#
        ),
        (
            "{{div 1 0}}",
            #"template: case.tmpl:1:2: executing "case.tmpl" at <div 1 0>: error calling div: runtime error: integer divide by zero"#
        ),
        (
            "{{mod -9223372036854775808 0}}",
            #"template: case.tmpl:1:2: executing "case.tmpl" at <mod -9223372036854775808 0>: error calling mod: runtime error: integer divide by zero"#
        ),
        (
            "{{9223372036854775808}}",
            "template: case.tmpl:1:2: executing \"case.tmpl\" at <9223372036854775808>: 9223372036854775808 overflows int"
        ),
        (
            "{{add 9223372036854775808 1}}",
            "template: case.tmpl:1:6: executing \"case.tmpl\" at <9223372036854775808>: expected integer; found 9223372036854775808"
        ),
        ("{{1e400}}", #"template: case.tmpl:1:2: illegal number syntax: "1e400""#),
        ("{{99999999999999999999}}", #"template: case.tmpl:1:2: integer overflow: "99999999999999999999""#),
    ])
    func arithmeticEdgeCasesAreErrors(_ text: String, _ expected: String) {
        #expect(failure(text) == expected)
    }

    @Test func integerArithmeticWrapsAsInGo() {
        let text =
            "{{div -9223372036854775808 -1}} {{mod -9223372036854775808 -1}} {{add 9223372036854775807 1}} "
            + "{{mul 9223372036854775807 3}} {{sub -9223372036854775808 1}} {{len (seq 1 1000000)}}"
        #expect(
            render(text)
                == "-9223372036854775808 0 -9223372036854775808 9223372036854775805 9223372036854775807 1000000")
    }

    @Test func extremeIntegersReachingFoundationOrRunesDoNotTrap() {
        #expect(render("{{(datetime.AddDate 9223372036854775807 0 0).Year}}") == "2023")
        #expect(render(#"{{(datetime.AddDate 0 -9223372036854775808 9223372036854775807).Format "2006"}}"#) == "2023")
        #expect(
            render(#"{{printf "%c|%q|%x" -1 9223372036854775807 -9223372036854775808}}"#)
                == "\u{FFFD}|'\u{FFFD}'|-8000000000000000")
    }

    @Test(arguments: [
        (#"{{printf "%99999999999999999999d" 1}}"#, "%!(NOVERB)%!(EXTRA int=1)"),
        (#"{{printf "%.99999999999999999999f" 1.5}}"#, "%!(NOVERB)%!(EXTRA float64=1.5)"),
        (#"{{printf "%*d|" 1000001 1}}"#, "%!(BADWIDTH)1|"),
        (#"{{printf "%*d|" -1000001 1}}"#, "%!(BADWIDTH)1|"),
        (#"{{printf "%.*d|" 1000001 1}}"#, "%!(BADPREC)1|"),
        (#"{{printf "%*d|" 9223372036854775807 1}}"#, "%!(BADWIDTH)1|"),
        (#"{{len (printf "%9999999d" 1)}}"#, "9999999"),
        (#"{{len (printf "%.9999999f" 1.0)}}"#, "10000001"),
        (#"{{len (printf "%*d" 1000000 1)}}"#, "1000000"),
        (#"{{len (printf "%-*d" -1000000 1)}}"#, "1000000"),
    ])
    func printfWidthsAndPrecisionsStopAtGosLimit(_ text: String, _ expected: String) {
        #expect(render(text) == expected)
    }

    @Test(arguments: [
        nested("{{", "1", "}}", 1).replacingOccurrences(of: "1", with: nested("(", "1", ")", 100_000)),
        nested("{{if 1}}", "x", "{{end}}", 100_000),
        nested("{{range seq 1 1}}", "x", "{{end}}", 100_000),
        nested("{{with 1}}", "x", "{{end}}", 100_000),
        "{{if 0}}" + String(repeating: "{{else if 0}}", count: 100_000) + "{{end}}",
        nested(#"{{block "b" 1}}"#, "x", "{{end}}", 100_000),
    ])
    func deepNestingInTheTextIsAParseError(_ text: String) {
        #expect(failure(text)?.hasSuffix(": exceeded maximum nesting depth (100)") == true)
    }

    @Test func nestingUpToTheLimitParsesAndRenders() {
        #expect(render(Self.nested("{{if 1}}", "x", "{{end}}", 100)) == "x")
        #expect(render("{{" + Self.nested("(", "1", ")", 99) + "}}") == "1")
    }

    @Test func recursionThroughNestedControlsStopsAtTheExecutionNestingLimit() {
        let body = Self.nested("{{if 1}}", #"{{template "r" .}}"#, "{{end}}", 60)
        let message = failure(#"{{define "r"}}"# + body + #"{{end}}{{template "r" 1}}"#)
        #expect(message?.hasSuffix("exceeded maximum nesting depth (1000)") == true)
    }

    @Test func aMapNestedInsideItselfInALoopStopsAtTheValueNestingLimit() {
        let message = failure(#"{{$m := map "a" 1}}{{range seq 1 200}}{{$m = map "a" $m}}{{end}}{{$m}}"#)
        #expect(message?.hasSuffix("error calling map: value nested deeper than 128 levels") == true)
    }

    @Test func outputBeyondTheLimitIsAnError() {
        let message = failure(#"{{range seq 1 100}}{{printf "%9999999d" 1}}{{end}}"#)
        #expect(message == "template: case.tmpl: output is longer than 268435456 bytes")
    }

    @Test func valuesMadeBeyondTheBudgetAreAnError() {
        let message = failure(#"{{range seq 1 200}}{{$x := printf "%9999999d" 1}}{{end}}"#)
        #expect(message?.hasSuffix("functions made more than 1073741824 bytes of values") == true)
    }

    @Test(arguments: [
        #"{{join (split (printf "%999999s" "") "") (printf "%999999s" "")}}"#,
        #"{{replace (printf "%999999s" "") "" (printf "%999999s" "") -1}}"#,
        #"{{replace (printf "%999999s" "") " " (printf "%999999s" "") -1}}"#,
        #"{{$s := printf "%9999999s" ""}}{{print $s $s $s $s $s $s $s $s}}"#,
        #"{{$s := printf "%9999999s" ""}}{{$l := split "a,b,c,d,e,f,g,h" ","}}{{printf "%9999999v" $l}}"#,
    ])
    func singleValuesBeyondTheLimitAreAnError(_ text: String) {
        #expect(failure(text)?.hasSuffix("formatted value is longer than 67108864 bytes") == true)
    }
}
