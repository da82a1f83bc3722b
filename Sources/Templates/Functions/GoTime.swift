import Foundation

/// The parts of Go's `time.Time` that confd templates use on `datetime`: `String`, `Format`
/// with Go's reference-time layouts, `Unix`, `UnixNano`, `UTC`, `Local`, and the calendar fields.
enum GoTime {
    /// `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`.
    static func string(_ date: Date, _ zone: TimeZone) -> String {
        format(date, zone, layout: "2006-01-02 15:04:05.999999999 -0700 MST")
    }

    /// The Go signature of a `time.Time` method confd templates can call; nil for one we do not have.
    static func signature(_ name: String) -> Signature? {
        switch name {
        case "Format": Signature(parameters: [.string])
        case "AddDate": Signature(parameters: [.int, .int, .int])
        case "Before", "After", "Equal": Signature(parameters: [.any])
        case "String", "Unix", "UnixNano", "UnixMilli", "UnixMicro", "UTC", "Local", "Year", "Month", "Day", "Hour",
            "Minute", "Second", "Nanosecond", "YearDay", "Weekday", "IsZero":
            Signature(parameters: [])
        default: nil
        }
    }

    /// A method call on a time value, with arguments already converted to `signature(name)`'s types.
    static func method(_ name: String, date: Date, zone: TimeZone, arguments: [Value]) throws(FunctionError) -> Value? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second, .nanosecond, .weekday], from: date)
        let seconds = date.timeIntervalSince1970
        switch name {
        case "Format": return .string(format(date, zone, layout: try arguments[0].asString()))
        case "String": return .string(string(date, zone))
        case "Unix": return .int(Int(seconds.rounded(.down)))
        case "UnixMilli": return .int(Int((seconds * 1e3).rounded(.down)))
        case "UnixMicro": return .int(Int((seconds * 1e6).rounded(.down)))
        case "UnixNano": return .int(Int(seconds * 1e9))
        case "UTC": return .time(date, TimeZone(identifier: "UTC") ?? zone)
        case "Local": return .time(date, .current)
        case "Year": return .int(parts.year ?? 0)
        case "Day": return .int(parts.day ?? 0)
        case "Hour": return .int(parts.hour ?? 0)
        case "Minute": return .int(parts.minute ?? 0)
        case "Second": return .int(parts.second ?? 0)
        case "Nanosecond": return .int(parts.nanosecond ?? 0)
        case "YearDay": return .int(calendar.ordinality(of: .day, in: .year, for: date) ?? 0)
        // time.Month and time.Weekday are ints that print their names.
        case "Month": return .namedInt(parts.month ?? 1, .month)
        case "Weekday": return .namedInt((parts.weekday ?? 1) - 1, .weekday)
        case "IsZero": return .bool(false)  // datetime never returns the zero time
        case "AddDate":
            var change = DateComponents()
            (change.year, change.month, change.day) = (
                try arguments[0].asInt(), try arguments[1].asInt(), try arguments[2].asInt()
            )
            return .time(calendar.date(byAdding: change, to: date) ?? date, zone)
        case "Before", "After", "Equal":
            guard case .time(let other, _) = arguments[0] else {
                throw .argumentType(expected: "time.Time", got: arguments[0].goTypeName)
            }
            return .bool(name == "Before" ? date < other : name == "After" ? date > other : date == other)
        default: return nil
        }
    }

    /// `Time.GoString()`: `time.Date(2023, time.November, 14, 22, 13, 20, 123456716, time.UTC)`.
    static func goString(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        let location = zone.identifier == "UTC" || zone.identifier == "GMT" ? "time.UTC" : "time.Local"
        return "time.Date(\(c.year ?? 0), time.\(name(c.month ?? 1, .month)), \(c.day ?? 0), \(c.hour ?? 0), "
            + "\(c.minute ?? 0), \(c.second ?? 0), \(c.nanosecond ?? 0), \(location))"
    }

    /// `Month.String()` and `Weekday.String()`: the English name, or `%!Month(13)` out of range.
    static func name(_ n: Int, _ kind: NamedInt) -> String {
        switch kind {
        case .month: (1...12).contains(n) ? months[n - 1] : "%!Month(\(n))"
        case .weekday: (0...6).contains(n) ? days[n] : "%!Weekday(\(n))"
        }
    }

    private static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    private static let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Go's `Time.Format`: the layout spells the reference time `Mon Jan 2 15:04:05 MST 2006`.
    static func format(_ date: Date, _ zone: TimeZone, layout: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second, .nanosecond, .weekday], from: date)
        let (year, month, day) = (c.year ?? 1970, c.month ?? 1, c.day ?? 1)
        let (hour, minute, second) = (c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
        let nanos = c.nanosecond ?? 0
        let hour12 = hour % 12 == 0 ? 12 : hour % 12
        let offset = zone.secondsFromGMT(for: date)
        let abbreviation =
            zone.identifier == "UTC" || zone.identifier == "GMT" ? "UTC" : (zone.abbreviation(for: date) ?? "UTC")
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        func zoneText(colon: Bool, seconds: Bool, hoursOnly: Bool, z: Bool) -> String {
            if z && offset == 0 { return "Z" }
            let sign = offset < 0 ? "-" : "+"
            let a = abs(offset)
            var s = sign + two(a / 3600)
            if hoursOnly { return s }
            s += (colon ? ":" : "") + two(a / 60 % 60)
            if seconds { s += (colon ? ":" : "") + two(a % 60) }
            return s
        }
        let tokens: [(String, () -> String)] = [
            ("January", { months[month - 1] }), ("Jan", { String(months[month - 1].prefix(3)) }),
            ("Monday", { days[(c.weekday ?? 1) - 1] }), ("Mon", { String(days[(c.weekday ?? 1) - 1].prefix(3)) }),
            ("MST", { abbreviation }), ("2006", { String(year) }), ("2", { String(day) }),
            ("Z07:00:00", { zoneText(colon: true, seconds: true, hoursOnly: false, z: true) }),
            ("-07:00:00", { zoneText(colon: true, seconds: true, hoursOnly: false, z: false) }),
            ("Z070000", { zoneText(colon: false, seconds: true, hoursOnly: false, z: true) }),
            ("-070000", { zoneText(colon: false, seconds: true, hoursOnly: false, z: false) }),
            ("Z07:00", { zoneText(colon: true, seconds: false, hoursOnly: false, z: true) }),
            ("-07:00", { zoneText(colon: true, seconds: false, hoursOnly: false, z: false) }),
            ("Z0700", { zoneText(colon: false, seconds: false, hoursOnly: false, z: true) }),
            ("-0700", { zoneText(colon: false, seconds: false, hoursOnly: false, z: false) }),
            ("Z07", { zoneText(colon: false, seconds: false, hoursOnly: true, z: true) }),
            ("-07", { zoneText(colon: false, seconds: false, hoursOnly: true, z: false) }),
            ("01", { two(month) }), ("02", { two(day) }), ("_2", { day < 10 ? " \(day)" : "\(day)" }),
            ("002", { String(calendar.ordinality(of: .day, in: .year, for: date) ?? 1).leftPadded(3) }),
            ("06", { two(year % 100) }),
            ("15", { two(hour) }), ("03", { two(hour12) }),
            ("3", { String(hour12) }), ("04", { two(minute) }), ("4", { String(minute) }),
            ("05", { two(second) }), ("5", { String(second) }), ("PM", { hour >= 12 ? "PM" : "AM" }),
            ("pm", { hour >= 12 ? "pm" : "am" }), ("1", { String(month) }),
        ]
        var out = ""
        var rest = Substring(layout)
        outer: while !rest.isEmpty {
            // Fractional seconds: .000 (fixed) or .999 (trailing zeros dropped), also with a comma.
            if let first = rest.first, first == "." || first == ",", let digit = rest.dropFirst().first,
                digit == "0" || digit == "9"
            {
                let run = rest.dropFirst().prefix { $0 == digit }
                let after = rest.dropFirst(1 + run.count).first
                if !(after?.isNumber ?? false) {
                    let digits = String(String(nanos).leftPadded(9).prefix(run.count))
                    if digit == "0" {
                        out += String(first) + digits
                    } else {
                        var trimmed = digits
                        while trimmed.hasSuffix("0") { trimmed.removeLast() }
                        if !trimmed.isEmpty { out += String(first) + trimmed }
                    }
                    rest = rest.dropFirst(1 + run.count)
                    continue
                }
            }
            for (token, render) in tokens where rest.hasPrefix(token) {
                out += render()
                rest = rest.dropFirst(token.count)
                continue outer
            }
            out.append(rest.removeFirst())
        }
        return out
    }
}
