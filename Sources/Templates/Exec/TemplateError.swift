/// Everything that can go wrong while compiling or rendering a template.
///
/// Descriptions read like Go's text/template errors, so confd users recognise them, but
/// parse errors carry a column too: `template: apps.tmpl:3:14: unexpected "}" in operand`.
/// A failed render returns no output at all; nothing half-written escapes.
package enum TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The template text is malformed (lexing or parsing); `column` counts bytes from 0, as Go does.
    case parse(name: String, line: Int, column: Int, message: String)
    /// An action failed while rendering: `template` is the one executing (a `define` name or
    /// the file's), `context` the action as written (`getv "/x"`).
    case execution(name: String, template: String, line: Int, column: Int, context: String, message: String)
    /// Rendering asked for a template that no `define`/`block` made.
    case undefinedTemplate(name: String)
    /// The output grew past `TemplateLimits.outputBytes`.
    case outputTooLong(name: String, limit: Int)

    package var description: String {
        switch self {
        case let .parse(name, line, column, message):
            "template: \(name):\(line):\(column): \(message)"
        case let .execution(name, template, line, column, context, message):
            "template: \(name):\(line):\(column): executing \"\(template)\" at <\(context)>: \(message)"
        case let .undefinedTemplate(name):
            "template: no template \"\(name)\" defined"
        case let .outputTooLong(name, limit):
            "template: \(name): output is longer than \(limit) bytes"
        }
    }
}

/// Why a function refused its arguments; the executor words it like Go and adds where.
package enum FunctionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The caller gave too few or too many arguments (Go: `wrong number of args for f: want 1 got 2`).
    case argumentCount(want: String, got: Int)
    /// An argument had the wrong Go type (Go: `wrong type for value; expected string; got int`).
    case argumentType(expected: String, got: String)
    /// The function ran and failed; Go prints `error calling f: <message>`.
    case failed(String)

    package var description: String {
        switch self {
        case let .argumentCount(want, got): "want \(want) got \(got)"
        case let .argumentType(expected, got): "wrong type for value; expected \(expected); got \(got)"
        case let .failed(message): message
        }
    }
}
