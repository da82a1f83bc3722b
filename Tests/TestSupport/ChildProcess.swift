import Dispatch
import Foundation
import Glibc
import Platform
import Synchronization

/// A process a test started: stopped by its own PID only, output kept in a log file for failure messages.
///
/// Every started PID is also appended to `$SWITCHBOARD_TEST_PIDS` (when set) so `scripts/test` can end
/// leftovers of a crashed test run: still only processes this suite started.
package final class ChildProcess: Sendable {
    package let executable: String
    package let arguments: [String]
    package let logPath: String
    private let process: Mutex<Process?>
    /// Left when the process exits: waiting on it blocks without polling.
    private let exited = DispatchGroup()

    /// Starts `executable` with `arguments`; stdout and stderr go to `logPath`.
    package init(_ executable: String, _ arguments: [String], logPath: String, environment: [String: String]? = nil)
        throws
    {
        self.executable = executable
        self.arguments = arguments
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        let exited = self.exited
        exited.enter()
        process.terminationHandler = { _ in exited.leave() }
        do {
            try ChildProcess.withNoSignalsBlocked { try process.run() }
        } catch {
            exited.leave()
            throw error
        }
        self.process = Mutex(process)
        ChildProcess.record(process.processIdentifier)
    }

    /// Runs `body` with no signal blocked on this thread. A child inherits the mask of the thread that spawns
    /// it, and the pool threads tests run on block most signals: a SIGHUP or SIGTERM sent to such a child stayed
    /// pending, where a child started from a shell gets it at once.
    private static func withNoSignalsBlocked<T>(_ body: () throws -> T) rethrows -> T {
        var none = sigset_t()
        var saved = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        return try body()
    }

    package var pid: Int32 { process.withLock { $0?.processIdentifier ?? 0 } }
    package var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }

    /// Sends `signal` to this process only.
    package func signal(_ signal: Int32) {
        let pid = self.pid
        if pid > 0 && isRunning { kill(pid, signal) }
    }

    /// SIGTERM, then SIGKILL if it is still there after `grace`; waits for it to exit.
    package func stop(grace: Duration = .seconds(5)) {
        guard let process = process.withLock({ $0 }) else { return }
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            if !waitForExitSignal(within: grace) { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
    }

    /// SIGKILL, as a crash would; waits for it to exit.
    package func kill9() {
        guard let process = process.withLock({ $0 }) else { return }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Waits for the process to exit by itself, up to `timeout`; returns its status, nil if still running.
    package func waitForExit(timeout: Duration) -> Int32? {
        guard let process = process.withLock({ $0 }) else { return nil }
        guard waitForExitSignal(within: timeout) else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// `waitForExit` without blocking a thread of Swift's cooperative pool while it waits: with two such
    /// threads in CI, blocking waits starved servers that tests run in process (their handlers need the pool).
    package func exitStatus(within timeout: Duration) async -> Int32? {
        let resumed = Mutex(false)
        let exited = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let finish: @Sendable (Bool) -> Void = { value in
                let first = resumed.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: value) }
            }
            self.exited.notify(queue: .global()) { finish(true) }
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { finish(false) }
        }
        guard exited, let process = process.withLock({ $0 }) else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    private func waitForExitSignal(within timeout: Duration) -> Bool {
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        return exited.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success
    }

    /// The process's output so far, for assertion messages.
    package var output: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    private static func record(_ pid: Int32) {
        guard let ledger = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_PIDS"],
            let handle = FileHandle(forWritingAtPath: ledger)
                ?? {
                    _ = FileManager.default.createFile(atPath: ledger, contents: nil)
                    return FileHandle(forWritingAtPath: ledger)
                }()
        else { return }
        handle.seekToEndOfFile()
        handle.write(Data("\(pid)\n".utf8))
        try? handle.close()
    }
}
