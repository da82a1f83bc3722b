import Templates
import Testing

/// `json` and `jsonArray` decode with Formats' parser into Go's `interface{}` values.
struct JSONFunctionTests {
    private func quoted(_ json: String) -> String {
        "\"" + json.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    @Test func numbersBecomeFloat64AsInGo() {
        let object = quoted(#"{"n":8080,"big":1000000,"neg":-0.5}"#)
        #expect(
            render("{{$v := json \(object)}}" + #"{{$v.n}} {{$v.big}} {{$v.neg}} {{printf "%T" $v.n}}"#)
                == "8080 1e+06 -0.5 float64")
    }

    @Test func valuesNestedToTheLimitDecode() {
        let depth = 100
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(render("{{len (jsonArray \(quoted(text)))}}") == "1")
    }

    @Test func valuesNestedBeyondTheLimitAreAnErrorNotACrash() {
        let text = String(repeating: "[", count: 100_000)
        let message = failure("{{jsonArray \(quoted(text))}}")
        #expect(message?.hasSuffix("error calling jsonArray: exceeded max depth of 100") == true)
        let object = String(repeating: #"{"a":"#, count: 100_000)
        #expect(
            failure("{{json \(quoted(object))}}")?.hasSuffix("error calling json: exceeded max depth of 100") == true)
    }

    @Test(arguments: [
        (#"{"a":1e400}"#, "json: cannot unmarshal number 1e400 into Go value of type float64"),
        ("[1]", "json: cannot unmarshal array into Go value of type map[string]interface {}"),
        ("\"s\"", "json: cannot unmarshal string into Go value of type map[string]interface {}"),
        ("{'a':1}", #"invalid character '\'' looking for beginning of object key string"#),
        ("{\"a\":\t\u{1}}", #"invalid character '\x01' looking for beginning of value"#),
        ("{\"a\":\u{e9}}", "invalid character 'Ã' looking for beginning of value"),
        ("{\"a\" ", "unexpected end of JSON input"),
    ])
    func errorsReadAsGosDo(_ json: String, _ message: String) {
        #expect(failure("{{json \(quoted(json))}}")?.hasSuffix("error calling json: " + message) == true)
    }
}
