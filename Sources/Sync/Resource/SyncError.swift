import KV
import Templates

/// What can go wrong while syncing one resource; the description is the one line the log shows.
package enum SyncError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A resource file could not be read or parsed (confd: "Cannot process template resource").
    case resourceFile(path: String, reason: String)
    /// The resource has no `src` (confd's `ErrEmptySrc`).
    case emptySource(path: String)
    /// `mode` is not a number Go's `strconv.ParseUint(mode, 0, 32)` accepts.
    case badMode(path: String, mode: String)
    /// The template file is missing (confd: "Missing template: ...").
    case missingTemplate(String)
    /// The template does not compile (confd: "Unable to process template ...").
    case templateSyntax(path: String, error: TemplateError)
    /// Rendering failed; `dest` was not touched.
    case render(dest: String, error: TemplateError)
    /// The store read failed; nothing was rendered and `dest` keeps its last good contents.
    case read(String)
    /// The stage file could not be created or written beside `dest`.
    case stage(dest: String, reason: String)
    /// `check_cmd` refused the staged file; `dest` was not touched.
    case checkFailed(dest: String, command: String, status: String, output: String)
    /// The rename onto `dest` failed.
    case install(dest: String, reason: String)
    /// `reload_cmd` failed after `dest` was updated.
    case reloadFailed(command: String, status: String, output: String)

    package var description: String {
        switch self {
        case let .resourceFile(path, reason): "cannot process template resource \(path): \(reason)"
        case let .emptySource(path): "cannot process template resource \(path): empty src template"
        case let .badMode(path, mode):
            "cannot process template resource \(path): mode '\(mode)' is not a number (write it like \"0644\")"
        case let .missingTemplate(path): "missing template: \(path)"
        case let .templateSyntax(path, error): "unable to process template \(path): \(error)"
        case let .render(dest, error): "render failed for \(dest): \(error); kept the previous file"
        case let .read(reason): "store read failed: \(reason); kept the previous file"
        case let .stage(dest, reason): "cannot stage \(dest): \(reason); kept the previous file"
        case let .checkFailed(dest, command, status, output):
            "config check failed for \(dest): check_cmd '\(command)' \(status)"
                + (output.isEmpty ? "" : ": \(output)") + "; kept the previous file"
        case let .install(dest, reason): "cannot install \(dest): \(reason); kept the previous file"
        case let .reloadFailed(command, status, output):
            "reload_cmd '\(command)' \(status)" + (output.isEmpty ? "" : ": \(output)")
        }
    }
}

extension String {
    /// The text on one line: control characters escaped, so a log line stays one line.
    var oneLine: String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
