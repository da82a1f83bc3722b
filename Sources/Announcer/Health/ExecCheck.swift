import Platform

/// `exec:COMMAND`: runs `/bin/sh -c COMMAND`; healthy when it exits 0 within `timeout`.
///
/// A command still running at the deadline is killed with SIGKILL by its process group, which `Subprocess`
/// gives each child (pgid = its PID), so a hanging `curl` under the shell dies with the shell.
package struct ExecCheck: HealthCheck {
    package let command: String
    package let timeout: Duration
    package var shell = "/bin/sh"

    package init(command: String, timeout: Duration) {
        self.command = command
        self.timeout = timeout
    }

    package func check() async -> HealthResult {
        let child: Subprocess
        do {
            child = try Subprocess(executable: shell, arguments: ["-c", command])
        } catch {
            return .unhealthy("cannot run \(shell) -c '\(command)': \(error)")
        }
        let timeout = self.timeout
        let killer = Task {
            try await Task.sleep(for: timeout)
            child.killGroup()
        }
        let outcome = await child.wait()
        killer.cancel()
        if outcome.killed {
            return .unhealthy("'\(command)' still running after \(timeout.secondsText); killed")
        }
        let status: Int32
        switch outcome.termination {
        case .signalled(let signal): return .unhealthy("'\(command)' killed by signal \(signal)")
        case .exited(let code): status = code
        }
        if status == 0 { return .healthy("'\(command)' exited 0") }
        let firstLine =
            String(decoding: outcome.standardError, as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return .unhealthy("'\(command)' exited \(status)" + (firstLine.isEmpty ? "" : ": \(firstLine)"))
    }
}
