import Platform
import Testing

/// `Subprocess.send`: signals the child while it runs, never after it was reaped.
@Suite(.timeLimit(.minutes(1)))
struct SubprocessSignalTests {
    @Test func aSignalReachesARunningChildAndIsNotSentOnceItIsReaped() async throws {
        let child = try Subprocess(executable: "/bin/sleep", arguments: ["30"])
        #expect(child.send(Posix.SIGTERM))
        let outcome = await child.wait()
        #expect(outcome.termination == .signalled(Posix.SIGTERM))
        #expect(outcome.killed == false)
        #expect(!child.send(Posix.SIGTERM))
    }
}
