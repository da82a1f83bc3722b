import Platform
import TestSupport
import Testing

/// The libc helpers that replaced Foundation in HTTP, KV and the announcer.
struct PosixHelperTests {
    @Test(arguments: [
        (0, 4, "0000"), (7, 2, "07"), (73, 3, "073"), (2026, 4, "2026"), (12345, 2, "12345"), (-5, 4, "-005"),
    ])
    func zeroPaddingMatchesPrintf(_ value: Int, _ width: Int, _ expected: String) {
        #expect(String(value, zeroPaddedTo: width) == expected)
    }

    @Test func keepAliveProbesAreSetOnASocket() throws {
        let loopback = try #require(SocketAddress(ip: "127.0.0.1", port: 0))
        let fd = try Socket.makeStream(family: loopback.family)
        defer { Posix.close(fd) }
        #expect(Socket.keepAlive(of: fd).on == false)
        Socket.setKeepAlive(fd, idle: 10, interval: 5, count: 3)
        let settings = Socket.keepAlive(of: fd)
        #expect(settings.on && settings.idle == 10 && settings.interval == 5 && settings.count == 3)
    }

    @Test func utcTimeFormatsAsRFC3339WithMilliseconds() {
        let time = UTCTime(year: 2026, month: 11, day: 2, hour: 1, minute: 4, second: 7, millisecond: 73)
        #expect(time.iso8601 == "2026-11-02T01:04:07.073Z")
    }

    @Test func directoryCreatesParentsListsEntriesAndReadsFiles() throws {
        let temp = try TemporaryDirectory("posix-helpers")
        defer { temp.remove() }
        let nested = temp.file("a/b/c")
        try Directory.create(nested)
        try Directory.create(nested)
        #expect(Directory.isDirectory(nested))
        let file = try DataFile(path: nested + "/data", mode: .replace)
        try file.write(Array("hello".utf8))
        #expect(try Directory.entries(of: nested) == ["data"])
        #expect(try DataFile.contents(of: nested + "/data") == Array("hello".utf8))
        #expect(try DataFile.contents(of: nested + "/missing") == nil)
        #expect(throws: SystemError.self) { try Directory.create(nested + "/data/x") }
    }

    @Test func subprocessReportsStatusAndStandardError() async throws {
        let child = try Subprocess(executable: "/bin/sh", arguments: ["-c", "echo oops >&2; exit 4"])
        let outcome = await child.wait()
        #expect(outcome.termination == .exited(4))
        #expect(outcome.standardError == Array("oops\n".utf8))
        #expect(!outcome.killed)
    }

    @Test func subprocessKilledByGroupReportsTheSignal() async throws {
        let child = try Subprocess(executable: "/bin/sh", arguments: ["-c", "sleep 30 & wait"])
        #expect(child.killGroup())
        let outcome = await child.wait()
        #expect(outcome.termination == .signalled(Posix.SIGKILL))
        #expect(outcome.killed)
        #expect(!child.killGroup())
    }
}
