import CSystem
import Glibc
import Synchronization

/// A child process started with `posix_spawn` in its own process group, its standard error captured.
///
/// Standard input and output are `/dev/null`; signal dispositions and mask are reset to the defaults, so
/// a child of a process that ignores SIGTERM still dies of it. Because the child leads its own group,
/// `killGroup()` also reaches what it started (a `curl` under `sh -c`).
package final class Subprocess: Sendable {
    /// How the child ended.
    package enum Termination: Sendable, Equatable {
        /// It called `exit` with this status.
        case exited(Int32)
        /// A signal with this number ended it.
        case signalled(Int32)
    }

    /// What `wait()` reports.
    package struct Outcome: Sendable, Equatable {
        package var termination: Termination
        /// The first `captureLimit` bytes the child wrote to standard error.
        package var standardError: [UInt8]
        /// Whether `killGroup()` signalled the child before it ended.
        package var killed: Bool
    }

    private struct State {
        var exited = false
        var killed = false
    }

    /// The child's PID, also its process group ID.
    package let pid: Int32
    private let errorPipe: Int32
    private let captureLimit: Int
    private let state = Mutex(State())

    /// Starts `executable` (a path; no `PATH` search) with `arguments` (not including argv[0]).
    /// - Throws: `SystemError` ("pipe", "posix_spawn EXECUTABLE: …"); nothing is left running.
    package init(executable: String, arguments: [String], captureLimit: Int = 4096) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe2(&fds, O_CLOEXEC) == 0 else { throw SystemError("pipe", code: errno) }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        defer { Glibc.close(writeEnd) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, STDERR_FILENO)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for arg in argv { free(arg) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            Glibc.close(readEnd)
            throw SystemError("posix_spawn", address: executable, code: result)
        }
        pid = child
        errorPipe = readEnd
        self.captureLimit = captureLimit
    }

    /// SIGKILL to the child's whole process group, unless the child has already ended.
    ///
    /// Checked and sent under the same lock `wait()` takes when it sees the exit, so a PID that was
    /// reaped (and may be reused) is never signalled.
    /// - Returns: whether the signal was sent.
    @discardableResult
    package func killGroup() -> Bool {
        state.withLock { state in
            guard !state.exited else { return false }
            state.killed = true
            return Posix.kill(-pid, SIGKILL)
        }
    }

    /// Sends `signal` to the child alone (nginx's master shuts its workers down itself), unless it has ended;
    /// checked under the same lock as `killGroup()`, so a reaped PID is never signalled.
    /// - Returns: whether the signal was sent.
    @discardableResult
    package func send(_ signal: Int32) -> Bool {
        state.withLock { state in
            guard !state.exited else { return false }
            return Posix.kill(pid, signal)
        }
    }

    /// Waits for the child to end and reaps it; call once.
    ///
    /// The blocking wait runs on a thread of its own, never on the cooperative pool (on the calling
    /// thread only if no thread can be started). It returns when the child ends, even if something
    /// it started keeps standard error open.
    package func wait() async -> Outcome {
        await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            do {
                let thread = try PosixThread(name: "subprocess-wait") { continuation.resume(returning: self.collect()) }
                thread.detach()
            } catch {
                continuation.resume(returning: collect())
            }
        }
    }

    /// Reads standard error until the child exits, then reaps it.
    private func collect() -> Outcome {
        var captured: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var pipeOpen = true
        /// Reads what is available within `milliseconds`; false when nothing was.
        func readAvailable(waiting milliseconds: Int32) -> Bool {
            var entry = pollfd(fd: errorPipe, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, milliseconds) > 0 else { return false }
            let n = chunk.withUnsafeMutableBytes { Glibc.read(errorPipe, $0.baseAddress, $0.count) }
            if n > 0 {
                captured += chunk[..<min(n, max(0, captureLimit - captured.count))]
            } else if n == 0 || errno != EINTR {
                pipeOpen = false
            }
            return n > 0
        }
        while true {
            // Bounded, so a grandchild holding the pipe open cannot hide the child's exit for long.
            if pipeOpen { _ = readAvailable(waiting: 100) }
            var info = siginfo_t()
            // WNOWAIT leaves the child a zombie: its PID cannot be reused until the lock below is passed.
            let flags = WEXITED | WNOWAIT | (pipeOpen ? WNOHANG : 0)
            let result = waitid(P_PID, id_t(pid), &info, flags)
            if result == 0 && info.si_signo == SIGCHLD { break }
            if result < 0 && errno != EINTR { break }
        }
        let killed = state.withLock { state in
            state.exited = true
            return state.killed
        }
        // What the child wrote before exiting is in the pipe; a bounded drain also ends a chatty grandchild's hold.
        for _ in 0..<64 where pipeOpen {
            if !readAvailable(waiting: 0) { break }
        }
        Glibc.close(errorPipe)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        let termination: Termination = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
        return Outcome(termination: termination, standardError: captured, killed: killed)
    }
}
