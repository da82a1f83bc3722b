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
