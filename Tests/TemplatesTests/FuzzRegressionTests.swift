import Templates
import Testing

/// Inputs `scripts/fuzz template` found (bench/fuzz/README.md), kept so that each fix stays fixed. Each
/// input is the fuzzer's own, byte for byte: a store dump of `key=value` lines, read as the target reads it.
struct FuzzRegressionTests {
    /// The fuzz target's way of turning its input into store keys.
    private static func storeDump(_ bytes: [UInt8]) -> [String: String] {
        var pairs: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            if let equals = line.firstIndex(of: "=") {
                pairs[String(line[..<equals])] = String(line[line.index(after: equals)...])
            } else {
                pairs[String(line)] = ""
            }
        }
        return pairs
    }

    /// template finding 1: a 19-digit printf width read from the store (`%09223372036854775807v`) trapped
    /// while padding (GoFormat.pad asked for Int.max spaces).
    private static let hugeWidthFromTheStore: [UInt8] =
        Array("/format=%09223372036854775807v\n/a=helloGVsb".utf8) + [0xBD] + Array("8G8=\n".utf8)

    @Test
    func aPrintfWidthTooLargeForGoIsNoVerbNotACrash() {
        let keys = Self.storeDump(Self.hugeWidthFromTheStore)
        // Go's parsenum gives up on a width over a million and consumes the rest of the format.
        #expect(
            render(#"{{printf (getv "/format") (getv "/a")}}"#, keys: keys)
                == "%!(NOVERB)%!(EXTRA string=helloGVsb\u{FFFD}8G8=)")
        #expect(
            render(
                #"{{printf (getv "/format" "%s") (getv "/a" "") (atoi (getv "/n" "0")) 1.5 true (json (getv "/json" "{}"))}}"#,
                keys: keys)
                == "%!(NOVERB)%!(EXTRA string=helloGVsb\u{FFFD}8G8=, int=0, float64=1.5, bool=true, map[string]interface {}=map[])"
        )
    }

    /// template finding 2 (a hang): a 10-digit `%*d` width read from the store built a 1.1 GB string.
    private static let starWidthFromTheStore: [UInt8] =
        [
            0x2F, 0x88, 0x9E, 0xC2, 0xCA, 0x31, 0xF5, 0xD0, 0x8B, 0x90, 0x33, 0x66, 0x6F, 0x72, 0x6D, 0x61,
            0x74, 0xBE, 0xBE, 0x62, 0x2F, 0x2E, 0x29, 0x2F, 0xFF, 0xFF, 0xFF, 0xFF, 0x63, 0x2F, 0x01, 0x2F,
            0x62, 0x6F, 0x6F, 0x6C, 0x3D, 0x54, 0x0A, 0x3D, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x5D, 0x5D, 0x0A,
        ] + Array("/n=00000000001116135906".utf8)

    @Test
    func aStarWidthOverAMillionIsBadWidthNotAGigabyteOfSpaces() {
        let keys = Self.storeDump(Self.starWidthFromTheStore)
        #expect(keys["/n"] == "00000000001116135906")
        #expect(
            render(
                #"{{printf "%*d|%.*f|%-*s" (atoi (getv "/n" "3")) 7 (atoi (getv "/m" "2")) 3.14159 (atoi (getv "/n" "3")) (getv "/a" "")}}"#,
                keys: keys) == "%!(BADWIDTH)7|3.14|%!(BADWIDTH)")
    }
}
