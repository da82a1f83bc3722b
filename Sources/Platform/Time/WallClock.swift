import Glibc

/// A moment of wall-clock time broken down in UTC, to the millisecond (log timestamps).
package struct UTCTime: Sendable, Equatable {
    /// The year, such as 2026.
    package var year: Int
    /// 1...12.
    package var month: Int
    /// 1...31.
    package var day: Int
    /// 0...23.
    package var hour: Int
    /// 0...59.
    package var minute: Int
    /// 0...60 (a leap second).
    package var second: Int
    /// 0...999.
    package var millisecond: Int

    /// A given moment (tests); fields are not checked.
    package init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int) {
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second, self.millisecond) = (hour, minute, second, millisecond)
    }

    /// The current time (`CLOCK_REALTIME`, `gmtime_r`).
    package static func now() -> UTCTime {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return UTCTime(
            year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
            hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec),
            millisecond: Int(now.tv_nsec) / 1_000_000)
    }

    /// RFC 3339 with milliseconds, such as `2026-11-22T01:34:27.073Z`.
    package var iso8601: String {
        "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))T\(Self.pad(hour, 2)):\(Self.pad(minute, 2)):"
            + "\(Self.pad(second, 2)).\(Self.pad(millisecond, 3))Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String { String(value, zeroPaddedTo: width) }
}
