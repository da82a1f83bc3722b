import Formats
import Testing

struct JSONParserTests {
    @Test func parsesNestedDocumentsKeepingInt64Text() throws {
        let value = try JSONParser.parse(Array(#"{"a":[1,"x",true,null,{"b":-9223372036854775808}],"c":1.5e3}"#.utf8))
        #expect(value["c"] == .number("1.5e3"))
        guard case .array(let items)? = value["a"] else {
            Issue.record("a is not an array")
            return
        }
        #expect(items[4]["b"] == .number("-9223372036854775808"))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(Array(#""a\"\\\/\n\u00e9\ud83d\ude00""#.utf8))
        #expect(value == .string("a\"\\/\né😀"))
    }

    @Test(arguments: [
        ("{bad json", "invalid character 'b' looking for beginning of object key string"),
        ("", "unexpected end of JSON input"),
        ("{\"a\":1", "unexpected end of JSON input"),
        ("{\"a\" 1}", "invalid character '1' after object key"),
        ("[1,]", "invalid character ']' looking for beginning of value"),
        ("{} x", "invalid character 'x' after top-level value"),
        ("01", "invalid character '1' after top-level value"),
        ("tru", "unexpected end of JSON input"),
        ("\"a\u{01}\"", "invalid character '\\x01' in string literal"),
        ("\"\\q\"", "invalid character 'q' in string escape code"),
        ("-", "unexpected end of JSON input"),
        ("1.", "unexpected end of JSON input"),
        ("1.x", "invalid character 'x' after decimal point in numeric literal"),
        ("1e+", "unexpected end of JSON input"),
    ])
    func rejectsMalformedDocumentsWithGoLikeMessages(_ input: String, _ message: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(input.utf8)) }
        do {
            _ = try JSONParser.parse(Array(input.utf8))
        } catch let error as JSONParseError {
            #expect(error.message == message)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func refusesNestingBeyondTheLimitInsteadOfOverflowingTheStack() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(deep.utf8)) }
    }

    @Test func serializesWithGoEscaping() {
        let value = JSONValue.object([
            ("k", .string("<a&b>\"\n\u{01}")), ("n", .number("5")), ("l", .array([.bool(false), .null])),
        ])
        #expect(value.serialized == #"{"k":"\u003ca\u0026b\u003e\"\n\u0001","n":5,"l":[false,null]}"#)
    }
}
