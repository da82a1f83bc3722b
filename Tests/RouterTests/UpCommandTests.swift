import Foundation
import Glibc
import HTTP
import Platform
import TestSupport
import Testing

/// `router up` as a new user runs it: the built binary, a fresh home directory, the lines it prints
/// followed to the letter, and Ctrl-C leaving nothing behind.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct UpCommandTests {
    /// An app instance: answers every request with one line naming itself.
    struct App: HTTPHandler {
        let text: String
        func handle(_ request: HTTPRequest, responder: HTTPResponder) {
            responder.respond(
                HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: Array(text.utf8)))
        }
    }

    /// The environment of a user who never ran Switchboard: a new, empty home.
    static func newUser(home: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home
        environment["XDG_DATA_HOME"] = nil
        return environment
    }

    static func isListening(_ port: Int) -> Bool { (try? RawConnection(port: port)) != nil }

    /// Runs one printed command line (words separated by spaces) and returns its status and output.
    static func runLine(_ line: String, in directory: TemporaryDirectory, log: String) throws -> (Int32?, String) {
        let words = line.split(separator: " ").map(String.init)
        let program = words[0] == "curl" ? "/usr/bin/curl" : words[0]
        let process = try ChildProcess(program, ["-s"] + words.dropFirst(), logPath: directory.file(log))
        defer { process.kill9() }
        return (process.waitForExit(timeout: .seconds(10)), process.output)
    }

    /// nginx's master (from its pid file) and its workers (the master's children).
    static func nginxProcesses(dataDir: String) -> [Int32] {
        guard let text = try? String(contentsOfFile: dataDir + "/nginx/nginx.pid", encoding: .utf8),
            let master = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return [] }
        let children = (try? String(contentsOfFile: "/proc/\(master)/task/\(master)/children", encoding: .utf8)) ?? ""
        return [master] + children.split(separator: " ").compactMap { Int32($0) }
    }

    static func isAlive(_ pid: Int32) -> Bool {
        // A zombie still answers kill(0) but is gone for all purposes: read its state.
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z ")
    }

    @Test(arguments: [false, true])
    func aNewUserStartsUpAnnouncesAnAppCurlsItAndCtrlCLeavesNothingRunning(nginx: Bool) async throws {
        let home = try TemporaryDirectory("up-home")
        defer { home.remove() }
        let app = HTTPServer(
            configuration: HTTPServer.Configuration(), handler: App(text: "hello from the app\n"),
            log: Log(component: "app", level: .error, sink: MemoryLogSink()))
        let appPort = try app.start()
        defer { app.stop() }
        let (listen, storeListen) = (FreePort.next(), FreePort.next())
        let up = try ChildProcess(
            BuiltProducts.path("router"),
            ["up", "--listen", "127.0.0.1:\(listen)", "--store-listen", "127.0.0.1:\(storeListen)"]
                + (nginx ? ["--nginx"] : []),
            logPath: home.file("up.log"), environment: Self.newUser(home: home.path))
        defer { up.kill9() }
        #expect(
            await eventually(timeout: .seconds(20)) { up.output.contains("Ctrl-C stops everything.\n") }, "\(up.output)"
        )

        // What it printed, line by line: where things are, and the two commands to run.
        let lines = up.output.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("ts=") }
        let dataDir = home.path + "/.local/share/switchboard"
        #expect(
            lines.first
                == "router up: serving http://<app>.localhost:\(listen)/ on 127.0.0.1:\(listen) (\(nginx ? "private nginx" : "built-in proxy")), "
                + "store http://127.0.0.1:\(storeListen), data in \(dataDir)")
        #expect(
            lines.dropFirst().first
                == "To route an app (here one listening on 127.0.0.1:3000), announce it, then curl it:")
        let announce = try #require(lines.first { $0.contains(" --app hello ") })
        let announceWords = announce.split(separator: " ").map(String.init)
        #expect(URL(fileURLWithPath: announceWords[0]).lastPathComponent == "announcer")
        #expect(
            Array(announceWords.dropFirst()) == [
                "--app", "hello", "--instance", "1", "--address", "127.0.0.1:3000", "--interval", "2", "--store",
                "http://127.0.0.1:\(storeListen)",
            ])
        let curl = "curl http://hello.localhost:\(listen)/"
        #expect(lines.contains("  " + curl))
        #expect(Directory.isDirectory(dataDir + "/store"))

        // Follow them, with our app's address in place of the example's.
        let announcer = try ChildProcess(
            announceWords[0],
            announceWords.dropFirst().map { $0 == "127.0.0.1:3000" ? "127.0.0.1:\(appPort)" : $0 },
            logPath: home.file("announcer.log"))
        defer { announcer.stop() }
        var last = ""
        let served = await eventually(timeout: .seconds(20), every: .milliseconds(100)) {
            last = try Self.runLine(curl, in: home, log: "curl.log").1
            return last == "hello from the app\n"
        }
        #expect(served, "curl said '\(last)'; up: \(up.output); announcer: \(announcer.output)")

        // SIGHUP keeps it serving: with --nginx the sync engine reads its resources again, as `router sync` does.
        up.signal(Posix.SIGHUP)
        let hangupLine =
            nginx
            ? "msg=\"SIGHUP: reading resources and templates again\""
            : "msg=\"SIGHUP: nothing to read again; carrying on\""
        #expect(await eventually { up.output.contains(hangupLine) }, "\(up.output)")
        // Eventually: nginx's old workers may still take a connection or two from the reload that routed the app.
        #expect(
            await eventually(timeout: .seconds(5)) {
                try Self.runLine(curl, in: home, log: "curl.log").1 == "hello from the app\n"
            }, "\(up.output)")
        #expect(up.isRunning)

        // Ctrl-C: status 0, and nothing of it keeps running or listening.
        let helpers = Self.nginxProcesses(dataDir: dataDir)
        #expect(helpers.count >= (nginx ? 2 : 0), "nginx master and worker: \(helpers)")
        up.signal(Posix.SIGINT)
        #expect(await up.exitStatus(within: .seconds(15)) == 0, "\(up.output)")
        #expect(up.output.contains("component=up msg=stopping reason=SIGINT"))
        #expect(up.output.contains("component=up msg=stopped reason=SIGINT"))
        #expect(!Self.isListening(listen))
        #expect(!Self.isListening(storeListen))
        for pid in helpers { #expect(!Self.isAlive(pid), "nginx process \(pid) outlived router up") }
    }

    @Test func nginxEndingByItselfStopsUpWithStatusOneAndFreesTheStore() async throws {
        let home = try TemporaryDirectory("up-nginx-dies")
        defer { home.remove() }
        let (listen, storeListen) = (FreePort.next(), FreePort.next())
        let up = try ChildProcess(
            BuiltProducts.path("router"),
            ["up", "--nginx", "--listen", "127.0.0.1:\(listen)", "--store-listen", "127.0.0.1:\(storeListen)"],
            logPath: home.file("up.log"), environment: Self.newUser(home: home.path))
        defer { up.kill9() }
        #expect(await eventually(timeout: .seconds(20)) { up.output.contains("Ctrl-C stops everything.\n") })
        let nginx = Self.nginxProcesses(dataDir: home.path + "/.local/share/switchboard")
        let master = try #require(nginx.first, "no nginx pid file: \(up.output)")
        kill(master, SIGTERM)  // someone else stops our nginx
        #expect(await eventually(timeout: .seconds(15)) { !up.isRunning }, "\(up.output)")
        #expect(await up.exitStatus(within: .seconds(5)) == 1)
        #expect(
            up.output.contains("component=up msg=stopping reason=\"nginx failed: exited with status 0\""),
            "\(up.output)")
        #expect(!Self.isListening(storeListen))
        #expect(!Self.isListening(listen))
        for pid in nginx { #expect(!Self.isAlive(pid)) }
    }

    @Test func aBusyPortIsOneLineStatusOneAndStopsWhatHadStarted() async throws {
        let home = try TemporaryDirectory("up-busy")
        defer { home.remove() }
        let blocker = HTTPServer(
            configuration: HTTPServer.Configuration(), handler: App(text: "busy\n"),
            log: Log(component: "blocker", level: .error, sink: MemoryLogSink()))
        let busy = try blocker.start()
        defer { blocker.stop() }
        let storeListen = FreePort.next()
        let up = try ChildProcess(
            BuiltProducts.path("router"),
            [
                "up", "--listen", "127.0.0.1:\(busy)", "--store-listen", "127.0.0.1:\(storeListen)", "--log-level",
                "error",
            ],
            logPath: home.file("up.log"), environment: Self.newUser(home: home.path))
        defer { up.kill9() }
        #expect(await up.exitStatus(within: .seconds(15)) == 1)
        #expect(up.output == "router up: bind 127.0.0.1:\(busy): Address already in use\n")
        #expect(!Self.isListening(storeListen), "the store started first must be stopped again")
    }

    @Test(arguments: [
        (["up", "--check-config"], 0, "router up: configuration ok\n"),
        (
            ["up", "--domain", "bad_domain"], 2,
            "router up: flag --domain: 'bad_domain' is not a domain name (for example localhost or example.com)\n"
        ),
        (
            ["up", "--listen", "127.0.0.1:9", "--store-listen", "127.0.0.1:9"], 2,
            "router up: flags --listen and --store-listen are both 127.0.0.1:9\n"
        ),
        (["up", "--lisen", "127.0.0.1:1"], 2, "router up: unknown flag '--lisen' (did you mean '--listen'?)\n"),
        (["up", "now"], 2, "router up: unexpected argument 'now'\n"),
        (
            ["up", "--nginx", "--listen", "127.0.0.1:0"], 2,
            "router up: flag --listen: --nginx needs a fixed port, not 0\n"
        ),
        (["up", "--nginx", "--check-config"], 0, "router up: configuration ok\n"),
    ])
    func flagsAreCheckedBeforeAnythingStarts(_ arguments: [String], _ status: Int32, _ output: String) throws {
        let directory = try TemporaryDirectory("up-flags")
        defer { directory.remove() }
        let up = try ChildProcess(
            BuiltProducts.path("router"), arguments, logPath: directory.file("out"),
            environment: Self.newUser(home: directory.path))
        defer { up.kill9() }
        #expect(up.waitForExit(timeout: .seconds(10)) == status)
        #expect(up.output == output)
        #expect(!Directory.exists(directory.path + "/.local"), "a flag check must not create the data dir")
    }
}
