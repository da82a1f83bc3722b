import Templates
import Testing

/// Functions that read the environment, files, DNS or the clock, through an injected environment.
struct ConfdEnvironmentTests {
    @Test(arguments: [
        (#"{{getenv "ROUTER_DOMAIN"}}"#, "example.com"),
        (#"{{getenv "UNSET"}}|{{getenv "UNSET" "fallback"}}"#, "|fallback"),
        (#"{{fileExists "/etc/present"}} {{fileExists "/nope"}}"#, "true false"),
        (#"{{lookupIP "db.local"}}"#, "[10.0.0.10 10.0.0.2 ::1]"),
        (#"{{lookupIPV4 "db.local"}} {{lookupIPV6 "db.local"}} {{lookupIP "nx"}}"#, "[10.0.0.10 10.0.0.2] [::1] []"),
        (
            #"{{range lookupSRV "http" "tcp" "example.com"}}{{.Target}}:{{.Port}}/{{.Priority}}/{{.Weight}} {{end}}"#,
            "a.example.com.:8080/2/1 b.example.com.:80/1/5 "
        ),
        (
            #"{{datetime.Unix}} {{(datetime.UTC).Format "2006-01-02T15:04:05.000Z07:00 Mon Jan _2 3PM"}}"#,
            "1700000000 2023-11-14T22:13:20.123Z Tue Nov 14 10PM"
        ),
        (#"{{datetime.UTC}}"#, "2023-11-14 22:13:20.123456716 +0000 UTC"),
    ])
    func readsTheInjectedEnvironment(_ text: String, _ expected: String) {
        #expect(render(text) == expected)
    }
}

/// The system-backed environment answers as confd's Go functions do on this machine.
struct ProcessEnvironmentTests {
    @Test(arguments: [
        ("/etc/passwd", true),
        ("/surely/not/here", false),
        ("", false),
        // stat fails with ENOTDIR, not "not found": confd's os.IsNotExist check says the file exists.
        ("/etc/passwd/inside", true),
    ])
    func fileExistsIsFalseOnlyForNotFound(_ path: String, _ expected: Bool) {
        #expect(ConfdEnvironment.process.fileExists(path) == expected)
    }

    @Test func aFixedEnvironmentAnswersOnlyFromItsValues() throws {
        let environment = ConfdEnvironment.fixed(variables: ["A": "1"], files: ["/f"], hosts: ["h": ["10.0.0.1"]])
        let template = try Template(
            name: "t",
            text: #"{{getenv "A"}} {{getenv "HOME"}} {{fileExists "/f"}} {{fileExists "/etc"}} {{lookupIP "h"}}"#)
        #expect(try template.render(SortedKeySnapshot([:]), environment: environment) == "1  true false [10.0.0.1]")
    }
}
