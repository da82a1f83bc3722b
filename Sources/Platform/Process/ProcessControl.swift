import Glibc

/// The process itself: its standard streams, exit, PID and signal dispositions.
extension Posix {
    /// `SIGTERM`, for callers that must not import Glibc.
    package static let SIGTERM = Glibc.SIGTERM
    /// `SIGINT`.
    package static let SIGINT = Glibc.SIGINT
    /// `SIGHUP`.
    package static let SIGHUP = Glibc.SIGHUP
    /// `SIGQUIT`: nginx's graceful stop (`nginx -s quit`), so people used to nginx send it.
    package static let SIGQUIT = Glibc.SIGQUIT
    /// `SIGKILL`.
    package static let SIGKILL = Glibc.SIGKILL
    /// `SIGXFSZ`: sent when a write passes the file-size limit; ignored, the write fails with `EFBIG` instead.
    package static let SIGXFSZ = Glibc.SIGXFSZ

    /// Writes `text` plus a newline (unless it ends with one) to standard error.
    ///
    /// A line up to `PIPE_BUF` bytes goes out in one `write(2)`, so lines written by several threads never
    /// interleave; failures are ignored, as there is nowhere left to report them.
    package static func writeStandardError(_ text: String) {
        writeLine(text, to: STDERR_FILENO)
    }

    /// Writes `text` plus a newline (unless it ends with one) to standard output, in one `write(2)` when it can.
    package static func writeStandardOutput(_ text: String) {
        writeLine(text, to: STDOUT_FILENO)
    }

    /// Writes `text` to standard output exactly as given (rendered output keeps its own line ends).
    package static func writeStandardOutput(exactly text: String) {
        write(Array(text.utf8), to: STDOUT_FILENO)
    }

    private static func writeLine(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        write(bytes, to: fd)
    }

    private static func write(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var done = 0
            while done < buffer.count {
                let n = Glibc.write(fd, base + done, buffer.count - done)
                if n < 0 {
                    if Glibc.errno == Glibc.EINTR { continue }
                    return
                }
                done += n
            }
        }
    }

    /// Ends the process with `status`, running `atexit` handlers and flushing C streams.
    package static func exit(_ status: Int32) -> Never {
        Glibc.exit(status)
    }

    /// This process's ID.
    package static var processID: Int32 { getpid() }

    /// Sends `signal` to `pid` (a negative `pid` names a process group).
    /// - Returns: false when the call failed (read `Posix.errno`), such as `ESRCH` for a process already gone.
    @discardableResult
    package static func kill(_ pid: Int32, _ signal: Int32) -> Bool {
        Glibc.kill(pid, signal) == 0
    }

    /// Sets `signal`'s disposition to ignore, so its default action (often exit) never runs.
    package static func ignore(signal number: Int32) {
        _ = Glibc.signal(number, SIG_IGN)
    }

    /// Compares bytes as `memcmp` does, a shorter prefix ordering first: negative, zero or positive.
    package static func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let common = min(a.count, b.count)
        let order = a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in
                guard common > 0, let a = a.baseAddress, let b = b.baseAddress else { return Int32(0) }
                return memcmp(a, b, common)
            }
        }
        if order != 0 { return Int(order) }
        return a.count - b.count
    }
}
