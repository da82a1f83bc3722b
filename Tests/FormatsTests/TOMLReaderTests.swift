import Formats
import Testing

struct TOMLReaderTests {
    @Test func readsAConfdTemplateResource() throws {
        let text = """
            # a resource
            [template]
            src = "nginx.tmpl"
            dest = '/etc/nginx/conf.d/apps.conf'
            keys = [
              "/services/web", # trailing comment
              "/other",
            ]
            mode = "0644"
            uid = 0
            gid = -1
            check_cmd = "nginx -t -c {{.src}}"
            reload_cmd = \"\"\"
            nginx -s \\
                reload\"\"\"
            """
        let root = try TOMLReader.parse(text, file: "nginx.toml")
        let template = try #require(root["template"]?.table)
        #expect(template.keys == ["src", "dest", "keys", "mode", "uid", "gid", "check_cmd", "reload_cmd"])
        #expect(template["src"] == .string("nginx.tmpl"))
        #expect(template["dest"] == .string("/etc/nginx/conf.d/apps.conf"))
        #expect(template["keys"] == .array([.string("/services/web"), .string("/other")]))
        #expect(template["uid"] == .integer(0))
        #expect(template["gid"] == .integer(-1))
        #expect(template["reload_cmd"] == .string("nginx -s reload"))
        #expect(template.line(of: "mode") == 9)
    }

    @Test(arguments: [
        (#"a = "tab\tnew\nquote\"back\\u\u00e9U\U0001F600""#, "tab\tnew\nquote\"back\\u\u{e9}U\u{1F600}"),
        (#"a = 'C:\path\n'"#, #"C:\path\n"#),
        ("a = '''\nfirst\n  second'''", "first\n  second"),
        ("a = \"\"\"two \"\"quotes\"\"\"\"\"", "two \"\"quotes\"\""),
        ("a = \"\"\"\\\n   joined \\\n\n  here\"\"\"", "joined here"),
    ])
    func readsEveryStringForm(_ text: String, _ expected: String) throws {
        #expect(try TOMLReader.parse(text)["a"] == .string(expected))
    }

    @Test(arguments: [
        ("a = 42", TOMLValue.integer(42)), ("a = +1_000", .integer(1000)), ("a = -17", .integer(-17)),
        ("a = 0xff", .integer(255)), ("a = 0o644", .integer(420)), ("a = 0b101", .integer(5)),
        ("a = 1.5", .float(1.5)), ("a = -2e3", .float(-2000)), ("a = 6.626e-34", .float(6.626e-34)),
        ("a = true", .bool(true)), ("a = false", .bool(false)),
        ("a = 1979-05-27T07:32:00Z", .dateTime("1979-05-27T07:32:00Z")),
        ("a = 1979-05-27 07:32:00", .dateTime("1979-05-27 07:32:00")),
        ("a = [ [1, 2], ['x'] ]", .array([.array([.integer(1), .integer(2)]), .array([.string("x")])])),
    ])
    func readsNumbersBooleansDatesAndArrays(_ text: String, _ expected: TOMLValue) throws {
        #expect(try TOMLReader.parse(text)["a"] == expected)
    }

    @Test func readsDottedKeysInlineTablesAndArraysOfTables() throws {
        let text = """
            site."google.com" = true
            point = { x = 1, y.z = 2 }
            [[server]]
            name = "a"
            [[server]]
            name = "b"
            [server.extra]
            port = 80
            """
        let root = try TOMLReader.parse(text)
        #expect(root["site"]?.table?["google.com"] == .bool(true))
        #expect(root["point"]?.table?["y"]?.table?["z"] == .integer(2))
        guard case .array(let servers)? = root["server"] else {
            Issue.record("server is not an array")
            return
        }
        #expect(servers.count == 2)
        #expect(servers[1].table?["extra"]?.table?["port"] == .integer(80))
    }

    @Test(arguments: [
        ("[template]\nsrc = \"a\"\nsrc = \"b\"", "f.toml:3: key 'src' is defined twice"),
        ("[template]\n[template]", "f.toml:2: table [template] is defined twice"),
        ("a = \"open", "f.toml:1: unterminated string (missing '\"')"),
        ("a = \"x\"\nb = \"bad \\q\"", "f.toml:2: invalid escape \\'q' in a string"),
        ("a = [1, 2", "f.toml:1: unterminated array (missing ']')"),
        ("\n\na = nginx", "f.toml:3: 'nginx' is not a valid value (strings need quotes)"),
        ("a = 1 b = 2", "f.toml:1: expected the end of the line, found 'b'"),
        ("a", "f.toml:1: expected '=' after key 'a'"),
        ("[a\nb = 1", "f.toml:1: expected ']' to close the table header"),
        ("a = 1\n[a]", "f.toml:2: cannot define table [a]: the key is already an integer"),
        ("a = {x = 1}\na.y = 2", "f.toml:2: cannot add key 'a.y' to an inline table"),
        ("a = 012", "f.toml:1: '012' is not a valid value (strings need quotes)"),
        ("a = \"\\u12\"", "f.toml:1: incomplete \\u escape"),
        ("a = \"x\u{01}\"", "f.toml:1: control character byte 0x1 in a string"),
    ])
    func reportsFileLineAndReasonForMalformedInput(_ text: String, _ message: String) {
        #expect(throws: TOMLError.self) { try TOMLReader.parse(text, file: "f.toml") }
        do {
            _ = try TOMLReader.parse(text, file: "f.toml")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func refusesNestingDeeperThanTheLimitInsteadOfOverflowingTheStack() {
        let text = "a = " + String(repeating: "[", count: 10_000)
        #expect(throws: TOMLError.self) { try TOMLReader.parse(text) }
    }

    /// Seeded mutations of valid documents: each must parse or throw `TOMLError`, never crash.
    @Test func mutatedDocumentsParseOrThrowButNeverCrash() {
        let seeds = [
            "[template]\nsrc = \"a.tmpl\"\ndest = '/tmp/x'\nkeys = [\n \"/a\", # c\n]\nmode = \"0644\"\n",
            "a.b = { c = [1, 2.5, true], d = \"\"\"x\ny\"\"\" }\n[[t]]\nk = 0x1f\n[t.u]\nv = 1979-05-27T00:00:00Z\n",
        ]
        let alphabet = Array("[]{}=\"'#,.\\\n\r\t abcu0x1_+-:".utf8) + [0, 0x7F, 0xC3, 0xFF]
        var random = SplitMix(seed: 0x5EED)
        var parsed = 0
        for round in 0..<4000 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            for _ in 0..<(1 + random.next(below: 6)) {
                let at = random.next(below: bytes.count + 1)
                switch random.next(below: 3) {
                case 0: bytes.insert(alphabet[random.next(below: alphabet.count)], at: at)
                case 1: if at < bytes.count { bytes.remove(at: at) }
                default: if at < bytes.count { bytes[at] = alphabet[random.next(below: alphabet.count)] }
                }
            }
            if (try? TOMLReader.parse(bytes, file: "fuzz.toml")) != nil { parsed += 1 }
        }
        // Both outcomes happen, so the mutations reach deep into the reader and its errors.
        #expect(parsed > 0 && parsed < 4000)
    }
}

/// A small deterministic generator (SplitMix64), so a failing mutation is reproducible.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
}
