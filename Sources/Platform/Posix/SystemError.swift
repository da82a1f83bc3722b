import Glibc

/// A failed system call: what was attempted, on which address, and the `errno` it gave.
///
/// `description` reads like `bind 127.0.0.1:2379: Address already in use`.
package struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call or step that failed, such as `bind` or `connect`.
    package var operation: String
    /// The address involved, as `host:port`, when there is one.
    package var address: String?
    /// The `errno` value.
    package var code: Int32

    /// An error for `operation`; read `errno` right after the failing call, before anything else runs.
    package init(_ operation: String, address: String? = nil, code: Int32) {
        self.operation = operation
        self.address = address
        self.code = code
    }

    /// The system's text for `code`, such as `Connection refused`.
    package var message: String { Posix.describe(errno: code) }

    package var description: String {
        if let address { return "\(operation) \(address): \(message)" }
        return "\(operation): \(message)"
    }
}

/// Small libc helpers that do not belong to sockets or epoll.
package enum Posix {
    /// The current thread's `errno`.
    package static var errno: Int32 { Glibc.errno }

    /// `strerror` for a code, copied into a Swift string (glibc's table strings are immutable).
    package static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Nanoseconds on `CLOCK_MONOTONIC`; cheap (vDSO) so loops call it once per iteration.
    package static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
    }

    /// Closes a descriptor, ignoring `EINTR` (Linux always releases the descriptor).
    package static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// The number of online processors, at least 1.
    package static var processorCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

extension Posix {
    package static let EAGAIN = Glibc.EAGAIN
    package static let EINTR = Glibc.EINTR
    package static let EINPROGRESS = Glibc.EINPROGRESS
    package static let EINVAL = Glibc.EINVAL
    package static let EADDRNOTAVAIL = Glibc.EADDRNOTAVAIL
    package static let ETIMEDOUT = Glibc.ETIMEDOUT
    package static let ECONNRESET = Glibc.ECONNRESET
    package static let EPIPE = Glibc.EPIPE
}
