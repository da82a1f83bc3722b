import Synchronization

/// Severity of a log line; `--log-level` keeps this level and the ones above it.
package enum LogLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case trace, debug, info, warning, error

    package init?(name: String) {
        switch name.lowercased() {
        case "trace": self = .trace
        case "debug": self = .debug
        case "info": self = .info
        case "warning", "warn": self = .warning
        case "error": self = .error
        default: return nil
        }
    }

    package static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
    package var description: String { ["trace", "debug", "info", "warning", "error"][rawValue] }
}

/// Where finished log lines go.
package protocol LogSink: Sendable {
    func write(_ line: String)
}

/// Writes each line to standard error in one `write(2)`, so lines from threads never interleave.
package struct StandardErrorSink: LogSink {
    package init() {}
    package func write(_ line: String) {
        Posix.writeStandardError(line)
    }
}

/// A structured logger: one line per event, `key=value` pairs, fixed fields first, the rest sorted.
///
/// `ts=... level=info component=sync msg="config updated" dest=/etc/nginx/conf.d/apps.conf revision=42`
package struct Log: Sendable {
    package var level: LogLevel
    private let sink: any LogSink
    private var context: [(String, String)]

    package init(component: String, level: LogLevel = .info, sink: any LogSink = StandardErrorSink()) {
        self.level = level
        self.sink = sink
        self.context = [("component", component)]
    }

    /// A logger that adds `key=value` to every line.
    package func with(_ key: String, _ value: String) -> Log {
        var copy = self
        copy.context.append((key, value))
        return copy
    }

    /// Whether a line at `level` would be written; lets hot paths skip building fields.
    package func enabled(_ level: LogLevel) -> Bool { level >= self.level }

    package func trace(_ message: String, _ fields: [String: String] = [:]) { log(.trace, message, fields) }
    package func debug(_ message: String, _ fields: [String: String] = [:]) { log(.debug, message, fields) }
    package func info(_ message: String, _ fields: [String: String] = [:]) { log(.info, message, fields) }
    package func warning(_ message: String, _ fields: [String: String] = [:]) { log(.warning, message, fields) }
    package func error(_ message: String, _ fields: [String: String] = [:]) { log(.error, message, fields) }

    package func log(_ level: LogLevel, _ message: String, _ fields: [String: String]) {
        guard enabled(level) else { return }
        var line = "ts=\(Log.timestamp()) level=\(level)"
        for (key, value) in context { line += " \(key)=\(Log.quote(value))" }
        line += " msg=\(Log.quote(message))"
        for key in fields.keys.sorted() { line += " \(key)=\(Log.quote(fields[key] ?? ""))" }
        sink.write(line)
    }

    /// Quotes a value when it holds spaces, quotes, `=` or control characters, so lines stay parseable.
    package static func quote(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20 }
        guard needsQuotes else { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func timestamp() -> String { UTCTime.now().iso8601 }
}
