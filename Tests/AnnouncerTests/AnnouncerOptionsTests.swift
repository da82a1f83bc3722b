import Announcer
import Platform
import TestSupport
import Testing

/// Every flag is validated before anything starts; a mistake is one line naming the flag.
struct AnnouncerOptionsTests {
    static let base = ["--app", "web", "--instance", "1", "--address", "127.0.0.1:8080"]

    @Test func defaultsFollowTheDesignCommandLine() throws {
        let options = try #require(try AnnouncerOptions.parse(Self.base))
        #expect(options.key == "/services/web/web/web@1")
        #expect(options.address.description == "127.0.0.1:8080")
        #expect(options.check == .tcp(HostPort(host: "127.0.0.1", port: 8080)))
        #expect(options.ttl == 60)
        #expect(options.interval == .seconds(45))
        #expect(options.checkTimeout == .seconds(2))
        #expect(options.rise == 1 && options.fall == 1)
        #expect(options.stores == ["http://127.0.0.1:2379"])
    }

    @Test func everyFlagIsTakenAsGiven() throws {
        let options = try #require(
            try AnnouncerOptions.parse(
                [
                    "--app", "api.v2", "--instance", "web-3_a", "--address", "[fd00::1]:9000",
                    "--check", "http://localhost:9000/healthz?full=1", "--check-timeout", "0.5", "--rise", "2",
                    "--fall", "3", "--ttl", "10", "--interval", "2.5", "--store", "http://127.0.0.1:4001",
                    "--store", "http://127.0.0.1:4002,http://127.0.0.1:4003", "--prefix", "/apps/", "--log-level",
                    "debug",
                ]))
        #expect(options.key == "/apps/api.v2/api.v2@web-3_a")
        #expect(options.address.description == "[fd00::1]:9000")
        #expect(options.check == .http(HostPort(host: "localhost", port: 9000), path: "/healthz?full=1"))
        #expect(options.checkTimeout == .milliseconds(500))
        #expect(options.rise == 2 && options.fall == 3 && options.ttl == 10)
        #expect(options.interval == .milliseconds(2500))
        #expect(options.stores == ["http://127.0.0.1:4001", "http://127.0.0.1:4002,http://127.0.0.1:4003"])
        #expect(options.logLevel == .debug)
    }

    @Test(arguments: [
        ("10.0.0.5:80", "10.0.0.5", 80), ("app-1.internal:65535", "app-1.internal", 65535),
        ("[::1]:8080", "::1", 8080), ("[::ffff:10.0.0.1]:1", "::ffff:10.0.0.1", 1),
        ("[2001:db8:0:0:0:0:2:1]:443", "2001:db8:0:0:0:0:2:1", 443), ("localhost:1", "localhost", 1),
    ])
    func acceptsRealHostPorts(_ text: String, _ host: String, _ port: Int) throws {
        #expect(try HostPort.parse(text) == HostPort(host: host, port: port))
    }

    @Test(arguments: [
        (["--instance", "1", "--address", "127.0.0.1:8080"], "--app is required (e.g. --app web)"),
        (["--app", "web", "--address", "127.0.0.1:8080"], "--instance is required (e.g. --instance 1)"),
        (
            ["--app", "web", "--instance", "1"],
            "--address is required (where routers reach this instance, e.g. --address 10.0.0.5:8080)"
        ),
        (
            ["--app", "we/b", "--instance", "1", "--address", "127.0.0.1:8080"],
            "--app 'we/b' is not a safe key segment: use letters, digits, '-', '_' and '.', starting with a letter or digit, at most 128"
        ),
        (
            ["--app", "web", "--instance", "1@2", "--address", "127.0.0.1:8080"],
            "--instance '1@2' is not a safe key segment: use letters, digits, '-', '_' and '.', starting with a letter or digit, at most 128"
        ),
        (
            ["--app", "..", "--instance", "1", "--address", "127.0.0.1:8080"],
            "--app '..' is not a safe key segment: use letters, digits, '-', '_' and '.', starting with a letter or digit, at most 128"
        ),
    ])
    func namesMustBeSafeKeySegments(_ arguments: [String], _ message: String) {
        #expect(throws: UsageError(message)) { try AnnouncerOptions.parse(arguments) }
    }

    @Test(arguments: [
        ("127.0.0.1", "--address '127.0.0.1': missing ':PORT'"),
        ("127.0.0.1:0", "--address '127.0.0.1:0': port '0' is not a number from 1 to 65535"),
        ("127.0.0.1:65536", "--address '127.0.0.1:65536': port '65536' is not a number from 1 to 65535"),
        ("127.0.0.1:http", "--address '127.0.0.1:http': port 'http' is not a number from 1 to 65535"),
        ("300.1.1.1:80", "--address '300.1.1.1:80': '300.1.1.1' is not an IPv4 address"),
        ("10.0.0:80", "--address '10.0.0:80': '10.0.0' is not an IPv4 address"),
        ("::1:80", "--address '::1:80': write an IPv6 address in brackets, like [::1]:8080"),
        ("[::1:80", "--address '[::1:80': missing ']' after the IPv6 address"),
        ("[::g]:80", "--address '[::g]:80': '::g' is not an IPv6 address"),
        ("[1:2:3:4:5:6:7:8:9]:80", "--address '[1:2:3:4:5:6:7:8:9]:80': '1:2:3:4:5:6:7:8:9' is not an IPv6 address"),
        ("[::1]", "--address '[::1]': missing ':PORT' after ']'"),
        (":80", "--address ':80': missing host before ':'"),
        (
            "my_host:80",
            "--address 'my_host:80': 'my_host' is not a hostname (letters, digits, '-' and '.', at most 253 characters)"
        ),
        (
            "-bad.example:80",
            "--address '-bad.example:80': '-bad.example' is not a hostname (letters, digits, '-' and '.', at most 253 characters)"
        ),
    ])
    func addressMustBeARealHostPort(_ address: String, _ message: String) {
        #expect(throws: UsageError(message)) {
            try AnnouncerOptions.parse(["--app", "web", "--instance", "1", "--address", address])
        }
    }

    @Test(arguments: [
        (
            ["--ttl", "10", "--interval", "10"],
            "--ttl 10 must be longer than --interval 10, or the key expires between renewals"
        ),
        (["--ttl", "30"], "--ttl 30 must be longer than --interval 45, or the key expires between renewals"),
        (["--ttl", "0"], "--ttl: '0' is not a whole number from 1 to 86400"),
        (["--ttl", "1.5"], "--ttl: '1.5' is not a whole number from 1 to 86400"),
        (["--interval", "soon"], "--interval: 'soon' is not a number of seconds from 0.05 to 86400.0"),
        (["--rise", "0"], "--rise: '0' is not a whole number from 1 to 100"),
        (["--fall", "x"], "--fall: 'x' is not a whole number from 1 to 100"),
        (
            ["--check-timeout", "5", "--interval", "1", "--ttl", "3"],
            "--check-timeout 5 must not exceed --interval 1"
        ),
        (
            ["--check", "ftp://x:1"],
            "--check 'ftp://x:1': use http://HOST:PORT/PATH, tcp://HOST:PORT or exec:COMMAND"
        ),
        (
            ["--check", "https://127.0.0.1:8443/health"],
            "--check 'https://127.0.0.1:8443/health': https checks are not supported; check the plain port or use exec:curl -fsS https://..."
        ),
        (["--check", "tcp://127.0.0.1"], "--check 'tcp://127.0.0.1': missing ':PORT'"),
        (["--check", "tcp://127.0.0.1:80/x"], "--check 'tcp://127.0.0.1:80/x': a tcp:// check takes no path"),
        (["--check", "exec:  "], "--check 'exec:  ': exec: needs a command, like exec:/usr/bin/true"),
        (["--store", "127.0.0.1:2379"], "--store '127.0.0.1:2379' is not http://HOST:PORT"),
        (["--store", "http://127.0.0.1:2379,http://x:"], "--store 'http://x:' is not http://HOST:PORT"),
        (["--prefix", "services"], "--prefix 'services' must start with '/' and hold no spaces or empty segments"),
        (["--log-level", "loud"], "--log-level 'loud' is not trace, debug, info, warning or error"),
        (["--colour"], "unknown flag '--colour'"),
        (["--tll", "10"], "unknown flag '--tll' (did you mean '--ttl'?)"),
        (["--app", "other"], "--app given more than once"),
        (["extra"], "unexpected argument 'extra'"),
        (["--interval"], "--interval needs a value"),
    ])
    func badFlagsAreOneLineUsageErrors(_ extra: [String], _ message: String) {
        #expect(throws: UsageError(message)) { try AnnouncerOptions.parse(Self.base + extra) }
    }

    @Test func helpIsNotAnError() throws {
        #expect(try AnnouncerOptions.parse(["--help"]) == nil)
        #expect(AnnouncerOptions.usage.contains("--check-timeout SECONDS"))
    }

    @Test func theBinaryPrintsOneLineAndExits2OnABadFlag() throws {
        let directory = try TemporaryDirectory("announcer-usage")
        defer { directory.remove() }
        let process = try ChildProcess(
            BuiltProducts.path("announcer"), Self.base + ["--ttl", "5", "--interval", "10"],
            logPath: directory.file("out.log"))
        defer { process.kill9() }
        #expect(process.waitForExit(timeout: .seconds(30)) == 2)
        #expect(
            process.output
                == "announcer: --ttl 5 must be longer than --interval 10, or the key expires between renewals\n")
    }

    @Test func theBinaryPrintsHelpAndExits0() throws {
        let directory = try TemporaryDirectory("announcer-help")
        defer { directory.remove() }
        let process = try ChildProcess(BuiltProducts.path("announcer"), ["--help"], logPath: directory.file("out.log"))
        defer { process.kill9() }
        #expect(process.waitForExit(timeout: .seconds(30)) == 0)
        #expect(process.output.hasPrefix("usage: announcer --app NAME --instance ID --address HOST:PORT"))
    }
}
