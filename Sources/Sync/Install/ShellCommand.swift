import Platform

/// A `check_cmd` or `reload_cmd`, run as confd runs it: `/bin/sh -c COMMAND`.
package enum ShellCommand {
    /// How a command ended.
    package struct Result: Sendable, Equatable {
        package var succeeded: Bool
        /// "exited 1", "killed by signal 9", or "could not start: ...".
        package var status: String
        /// What it wrote to standard error (first 4 KiB), trimmed.
        package var output: String
    }

    /// Runs `command` and waits for it.
    package static func run(_ command: String) async -> Result {
        let process: Subprocess
        do {
            process = try Subprocess(executable: "/bin/sh", arguments: ["-c", command])
        } catch {
            return Result(succeeded: false, status: "could not start: \(error)", output: "")
        }
        let outcome = await process.wait()
        let output = String(decoding: outcome.standardError, as: UTF8.self)
            .trimmingCharacters(inSet: [" ", "\n", "\r", "\t"])
        switch outcome.termination {
        case .exited(0): return Result(succeeded: true, status: "exited 0", output: output)
        case .exited(let code): return Result(succeeded: false, status: "exited \(code)", output: output)
        case .signalled(let signal):
            return Result(succeeded: false, status: "killed by signal \(signal)", output: output)
        }
    }
}

extension String {
    func trimmingCharacters(inSet set: Set<Character>) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
