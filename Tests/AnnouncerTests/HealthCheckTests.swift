import Announcer
import Foundation
import Platform
import TestSupport
import Testing

/// Each check kind against a real listener or command on this machine, and each way it fails.
struct HealthCheckTests {
    static func local(_ port: Int) -> HostPort { HostPort(host: "127.0.0.1", port: port) }

    // MARK: http://

    @Test(arguments: [200, 204, 301, 399])
    func httpCheckPassesOn2xxAnd3xx(_ status: Int) async throws {
        let app = try TinyApp(behaviour: .status(status))
        defer { app.stop() }
        let result = await HTTPCheck(address: Self.local(app.port), path: "/health", timeout: .seconds(5)).check()
        #expect(result == .healthy("HTTP \(status) from http://127.0.0.1:\(app.port)/health"))
    }

    @Test(arguments: [500, 503, 404])
    func httpCheckFailsOnErrorStatuses(_ status: Int) async throws {
        let app = try TinyApp(behaviour: .status(status))
        defer { app.stop() }
        let result = await HTTPCheck(address: Self.local(app.port), path: "/health", timeout: .seconds(5)).check()
        #expect(result == .unhealthy("HTTP \(status) from http://127.0.0.1:\(app.port)/health"))
    }

    @Test func httpCheckFailsWhenTheConnectionIsRefused() async {
        let port = FreePort.next()
        let result = await HTTPCheck(address: Self.local(port), path: "/", timeout: .seconds(5)).check()
        #expect(!result.isHealthy)
        #expect(result.detail.hasPrefix("GET http://127.0.0.1:\(port)/: "), "\(result.detail)")
    }

    @Test func httpCheckFailsWhenTheAppNeverAnswers() async throws {
        let app = try TinyApp(behaviour: .silent)
        defer { app.stop() }
        let result = await HTTPCheck(address: Self.local(app.port), path: "/", timeout: .milliseconds(200)).check()
        #expect(result == .unhealthy("no answer from http://127.0.0.1:\(app.port)/ within 0.2s"))
    }

    // MARK: tcp://

    @Test func tcpCheckPassesWhenTheAppListens() async throws {
        let app = try TinyApp()
        defer { app.stop() }
        let result = await TCPCheck(address: Self.local(app.port), timeout: .seconds(5)).check()
        #expect(result == .healthy("connected to 127.0.0.1:\(app.port)"))
    }

    @Test func tcpCheckFailsWhenTheConnectionIsRefused() async {
        let port = FreePort.next()
        let result = await TCPCheck(address: Self.local(port), timeout: .seconds(5)).check()
        #expect(!result.isHealthy)
        #expect(result.detail.hasPrefix("connect 127.0.0.1:\(port): "), "\(result.detail)")
    }

    @Test func tcpCheckFailsWhenTheConnectHangs() async throws {
        // A listener that never accepts, its tiny queue filled: further SYNs are dropped and connects hang.
        let app = try TinyApp(behaviour: .neverAccept)
        defer { app.stop() }
        app.saturate()
        let result = await TCPCheck(address: Self.local(app.port), timeout: .milliseconds(300)).check()
        #expect(result == .unhealthy("connect 127.0.0.1:\(app.port): Connection timed out"))
    }

    // MARK: exec:

    @Test func execCheckPassesWhenTheCommandExits0() async {
        let result = await ExecCheck(command: "test 1 -eq 1", timeout: .seconds(5)).check()
        #expect(result == .healthy("'test 1 -eq 1' exited 0"))
    }

    @Test func execCheckFailsWithTheStatusAndFirstLineOfStderr() async {
        let result = await ExecCheck(command: "echo 'db down' >&2; echo more >&2; exit 3", timeout: .seconds(5)).check()
        #expect(result == .unhealthy("'echo 'db down' >&2; echo more >&2; exit 3' exited 3: db down"))
    }

    @Test func execCheckFailsWhenTheCommandDoesNotExist() async {
        let result = await ExecCheck(command: "/nonexistent/probe", timeout: .seconds(5)).check()
        #expect(!result.isHealthy)
        #expect(result.detail.hasPrefix("'/nonexistent/probe' exited 127"), "\(result.detail)")
    }

    @Test func execCheckKillsAHangingCommandAndItsChildren() async throws {
        let directory = try TemporaryDirectory("exec-check")
        defer { directory.remove() }
        let pidFile = directory.file("child.pid")
        // The shell starts a child that records its PID and sleeps: both must be gone after the timeout.
        let command = "sleep 300 & echo $! > \(pidFile); wait"
        let result = await ExecCheck(command: command, timeout: .milliseconds(300)).check()
        #expect(result == .unhealthy("'\(command)' still running after 0.3s; killed"))
        let text = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let child = try #require(Int32(text))
        let gone = await eventually(timeout: .seconds(5)) {
            !FileManager.default.fileExists(atPath: "/proc/\(child)/stat") || Self.isZombie(child)
        }
        #expect(gone, "the hanging command's child \(child) is still alive")
    }

    @Test func checkTargetsBuildTheMatchingCheck() throws {
        #expect(try CheckTarget.parse("http://127.0.0.1:80").makeCheck(timeout: .seconds(1)) is HTTPCheck)
        #expect(try CheckTarget.parse("http://127.0.0.1:80") == .http(Self.local(80), path: "/"))
        #expect(try CheckTarget.parse("tcp://127.0.0.1:80").makeCheck(timeout: .seconds(1)) is TCPCheck)
        #expect(try CheckTarget.parse("exec:true").makeCheck(timeout: .seconds(1)) is ExecCheck)
    }

    private static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: " ").dropFirst(2).first == "Z"
    }
}
