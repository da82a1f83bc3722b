import Foundation
import Glibc
import HTTP

/// `exec:COMMAND`: runs `/bin/sh -c COMMAND`; healthy when it exits 0 within `timeout`.
///
/// A command still running at the deadline is killed with SIGKILL by its process group, which Foundation's
/// `Process` gives each child (pgid = its PID), so a hanging `curl` under the shell dies with the shell.
package struct ExecCheck: HealthCheck {
    package let command: String
    package let timeout: Duration
    package var shell = "/bin/sh"

    package init(command: String, timeout: Duration) {
        self.command = command
        self.timeout = timeout
    }

    package func check() async -> HealthResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: shell)
        process.arguments = ["-c", command]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let stderr = Pipe()
        process.standardError = stderr
        let captured = Locked<[UInt8]>([])
        // Read as it comes: a grandchild that keeps the pipe open must not block the check.
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            captured.withLock { bytes in
                if bytes.count < 4096 { bytes.append(contentsOf: data.prefix(4096 - bytes.count)) }
            }
        }
        let state = Locked(ChildState())
        let (exited, continuation) = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in
            state.withLock { $0.exited = true }
            continuation.finish()
        }
        do {
            try process.run()
        } catch {
            stderr.fileHandleForReading.readabilityHandler = nil
            return .unhealthy("cannot run \(shell) -c '\(command)': \(error)")
        }
        let pid = process.processIdentifier
        let timeout = self.timeout
        let killer = Task {
            try await Task.sleep(for: timeout)
            // Under the lock, so a child that already exited (and whose PID may be reused) is never signalled.
            state.withLock { child in
                guard !child.exited else { return }
                child.killed = true
                ProcessGroup.kill(leader: pid)
            }
        }
        for await _ in exited {}
        killer.cancel()
        stderr.fileHandleForReading.readabilityHandler = nil
        if state.value.killed {
            return .unhealthy("'\(command)' still running after \(timeout.secondsText); killed")
        }
        let status = process.terminationStatus
        if process.terminationReason == .uncaughtSignal {
            return .unhealthy("'\(command)' killed by signal \(status)")
        }
        if status == 0 { return .healthy("'\(command)' exited 0") }
        let firstLine =
            String(decoding: captured.value, as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return .unhealthy("'\(command)' exited \(status)" + (firstLine.isEmpty ? "" : ": \(firstLine)"))
    }
}

private struct ChildState: Sendable {
    var exited = false
    var killed = false
}

/// SIGKILL to a child's whole process group. The one libc call of this target: `HTTP/Posix` has no `kill` helper
/// yet; it belongs there.
private enum ProcessGroup {
    static func kill(leader pid: Int32) {
        guard pid > 0 else { return }
        _ = Glibc.kill(-pid, SIGKILL)
    }
}
