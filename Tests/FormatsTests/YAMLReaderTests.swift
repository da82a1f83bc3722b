import Formats
import Testing

struct YAMLReaderTests {
    @Test func readsNestedMapsAndListsAsConfdFilesHoldThem() throws {
        let text = """
            ---
            # services
            services:
              web:
                app:
                  - "10.0.0.1:80"
                  - 10.0.0.2:80   # comment
                other: {a: 1, b: [x, 'y z']}
            flags:
            - name: one
              on: yes
            - name: two
              weight: 1.50
            empty:
            mode: 0644
            quoted: "tab\\tquote\\" #not comment"
            literal: 'it''s'
            """
        let value = try YAMLReader.parse(text, file: "f.yaml")
        let expected = YAMLValue.map([
            (
                "services",
                .map([
                    (
                        "web",
                        .map([
                            ("app", .list([.string("10.0.0.1:80"), .string("10.0.0.2:80")])),
                            ("other", .map([("a", .int(1)), ("b", .list([.string("x"), .string("y z")]))])),
                        ])
                    )
                ])
            ),
            (
                "flags",
                .list([
                    .map([("name", .string("one")), ("on", .bool(true))]),
                    .map([("name", .string("two")), ("weight", .float(1.5))]),
                ])
            ),
            ("empty", .null),
            ("mode", .int(420)),
            ("quoted", .string("tab\tquote\" #not comment")),
            ("literal", .string("it's")),
        ])
        #expect(value == expected)
    }

    @Test func readsBlockScalars() throws {
        let text = "a: |\n  line one\n  line two\nb: >-\n  folded\n  text\nc: end\n"
        let value = try YAMLReader.parse(text)
        #expect(
            value
                == .map([
                    ("a", .string("line one\nline two\n")), ("b", .string("folded text")), ("c", .string("end")),
                ]))
    }

    @Test(arguments: [
        ("a: 1\n\tb: 2", "f.yaml:2: tabs cannot indent YAML"),
        ("a: &anchor 1", "f.yaml:1: '&' cannot start a plain value here (anchors, aliases and tags are not supported)"),
        ("a:\n  b: 1\n c: 2", "f.yaml:3: bad indentation in a mapping"),
        ("a: [1, 2", "f.yaml:1: unterminated flow sequence (missing ']')"),
        ("a: \"open", "f.yaml:1: unterminated or malformed quoted string"),
        ("a: 1\n---\nb: 2", "f.yaml:2: several documents in one file are not supported"),
        ("a: \"bad \\q\"", "f.yaml:1: invalid escape '\\q' in a string"),
        (
            "key: value\n  more: 1",
            "f.yaml:2: unexpected indented text after 'key' (multi-line plain scalars are not supported)"
        ),
    ])
    func reportsFileLineAndReasonForMalformedInput(_ text: String, _ message: String) {
        do {
            _ = try YAMLReader.parse(text, file: "f.yaml")
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func refusesDeepNestingInsteadOfOverflowingTheStack() {
        #expect(throws: YAMLError.self) { try YAMLReader.parse("a: " + String(repeating: "[", count: 5000)) }
        var deep = ""
        for level in 0..<200 { deep += String(repeating: " ", count: level) + "k:\n" }
        #expect(throws: YAMLError.self) { try YAMLReader.parse(deep) }
    }

    @Test func mutatedDocumentsParseOrThrowButNeverCrash() {
        let seeds = [
            "services:\n  web:\n    app:\n      - \"10.0.0.1:80\"\n      - b: [1, {c: 'd'}]\nx: |\n  text\n",
            "- a\n- - b\n  - c: 1.5e3\n- {k: \"\\u00e9\"}\n",
        ]
        let alphabet = Array("-:[]{},'\"#|>&*! \n\tab1.\\".unicodeScalars)
        var random = SplitMix(seed: 0xC0FFEE)
        var parsed = 0
        for round in 0..<4000 {
            var scalars = Array(seeds[round % seeds.count].unicodeScalars)
            for _ in 0..<(1 + random.next(below: 6)) {
                let at = random.next(below: scalars.count + 1)
                switch random.next(below: 3) {
                case 0: scalars.insert(alphabet[random.next(below: alphabet.count)], at: at)
                case 1: if at < scalars.count { scalars.remove(at: at) }
                default: if at < scalars.count { scalars[at] = alphabet[random.next(below: alphabet.count)] }
                }
            }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            if (try? YAMLReader.parse(text, file: "fuzz.yaml")) != nil { parsed += 1 }
        }
        #expect(parsed > 0 && parsed < 4000)
    }

    @Test(arguments: [
        ("0644", Int64(420)), ("0x1F", 31), ("-12", -12), ("0b11", 3), ("0o17", 15), ("1_000", nil), ("08", nil),
        ("9223372036854775808", nil), ("-9223372036854775808", Int64.min),
    ])
    func parsesIntegersAsGoStrconvWithBaseZero(_ text: String, _ expected: Int64?) {
        #expect(GoInteger.parse(Substring(text)) == expected)
    }
}
