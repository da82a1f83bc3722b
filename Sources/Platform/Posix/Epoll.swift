import CSystem
import Glibc

/// Readiness an event loop waits for or reports.
package struct IOEvents: OptionSet, Sendable {
    package let rawValue: UInt32
    package init(rawValue: UInt32) { self.rawValue = rawValue }

    package static let readable = IOEvents(rawValue: EPOLLIN.rawValue)
    package static let writable = IOEvents(rawValue: EPOLLOUT.rawValue)
    /// The peer hung up or the socket has an error; a read or write will say which.
    package static let hangup = IOEvents(rawValue: EPOLLHUP.rawValue | EPOLLERR.rawValue)

    // Concrete versions of OptionSet's generic defaults: modules that call these per event would
    // otherwise go through `rawValue` witness calls.
    /// Whether every bit of `member` is set.
    @inline(__always)
    package func contains(_ member: IOEvents) -> Bool { rawValue & member.rawValue == member.rawValue }

    /// Whether any bit of `other` is set (`.hangup` is two bits, HUP and ERR, either of which counts).
    @inline(__always)
    package func overlaps(_ other: IOEvents) -> Bool { rawValue & other.rawValue != 0 }

    /// Sets the bits of `member`.
    @inline(__always)
    @discardableResult
    package mutating func insert(_ member: IOEvents) -> (inserted: Bool, memberAfterInsert: IOEvents) {
        let inserted = !contains(member)
        self = IOEvents(rawValue: rawValue | member.rawValue)
        return (inserted, member)
    }
}

/// An epoll instance plus an eventfd used to wake it from other threads; level-triggered.
/// `wake()` is thread-safe; the rest belongs to the loop thread.
package final class Epoll {
    package let fd: Int32
    package let wakeFD: Int32
    /// The `data` value reported for the wake-up eventfd.
    package static let wakeToken = UInt64.max

    /// - Throws: `SystemError` ("epoll_create1" or "eventfd"); nothing is left open.
    package init() throws {
        fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw SystemError("epoll_create1", code: Posix.errno) }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            let error = SystemError("eventfd", code: Posix.errno)
            Glibc.close(fd)
            throw error
        }
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(u64: Epoll.wakeToken))
        _ = epoll_ctl(fd, EPOLL_CTL_ADD, wakeFD, &event)
    }

    deinit {
        Glibc.close(wakeFD)
        Glibc.close(fd)
    }

    /// - Returns: 0 or the `errno` of `epoll_ctl`.
    package func add(_ target: Int32, events: IOEvents, token: UInt64, exclusive: Bool = false) -> Int32 {
        var flags = events.rawValue
        if exclusive { flags |= EPOLLEXCLUSIVE.rawValue }
        var event = epoll_event(events: flags, data: epoll_data_t(u64: token))
        return epoll_ctl(fd, EPOLL_CTL_ADD, target, &event) == 0 ? 0 : Posix.errno
    }

    package func modify(_ target: Int32, events: IOEvents, token: UInt64) {
        var event = epoll_event(events: events.rawValue, data: epoll_data_t(u64: token))
        _ = epoll_ctl(fd, EPOLL_CTL_MOD, target, &event)
    }

    package func remove(_ target: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(fd, EPOLL_CTL_DEL, target, &event)
    }

    /// Waits for events; `timeout` in milliseconds, -1 forever. Returns how many were stored.
    package func wait(into events: UnsafeMutableBufferPointer<epoll_event>, timeout: Int32) -> Int {
        let n = epoll_wait(fd, events.baseAddress, Int32(events.count), timeout)
        return n < 0 ? 0 : Int(n)
    }

    /// Makes the next (or current) `wait` return.
    package func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    /// Clears the wake-up counter after it fired.
    package func drainWake() {
        var value: UInt64 = 0
        _ = Glibc.read(wakeFD, &value, 8)
    }
}

/// The token and events of one ready descriptor.
package typealias EpollEvent = epoll_event

extension epoll_event {
    package var token: UInt64 { data.u64 }
    package var ioEvents: IOEvents { IOEvents(rawValue: events) }
}
