/// The parsed form of a template: a list of nodes per named template.
/// Every node keeps the byte offset Go reports errors at; `description` spells a node
/// back the way Go's `Node.String()` does, for `executing "x" at <...>` messages.
indirect enum Node: Sendable {
    case text([UInt8])
    case action(Pipeline)
    case `if`(Branch)
    case with(Branch)
    case range(Branch)
    case template(name: String, pipe: Pipeline?, offset: Int)
    case `break`(offset: Int)
    case `continue`(offset: Int)
}

/// The parts of `if`, `with` and `range`: a pipeline, a body and an optional `else` body.
struct Branch: Sendable {
    var pipe: Pipeline
    var list: [Node]
    var elseList: [Node]?
}

/// Commands joined by `|`, optionally declaring (`:=`) or assigning (`=`) variables.
struct Pipeline: Sendable {
    var offset: Int
    var isAssign = false
    var declarations: [String] = []
    var commands: [Command] = []
}

/// A function call or a single operand, with its arguments.
struct Command: Sendable {
    var offset: Int
    var arguments: [Argument] = []
}

/// An operand inside a command.
indirect enum Argument: Sendable {
    /// `.A.B` (names without dots).
    case field([String], offset: Int)
    /// `$x.A.B`: the variable name with `$`, then field names.
    case variable(String, [String], offset: Int)
    case dot(offset: Int)
    case `nil`(offset: Int)
    /// A bool or string constant and its source text.
    case constant(Value, text: String, offset: Int)
    /// A number or character constant: its type depends on where it is used.
    case number(GoNumber, offset: Int)
    /// A function name, and its slot in `Template`'s function table (resolved once per render).
    case identifier(String, slot: Int, offset: Int)
    /// A parenthesised pipeline.
    case pipeline(Pipeline)
    /// `(pipeline).A.B` or `fn.A`: fields applied to another operand's value.
    case chain(Argument, [String], offset: Int)

    var offset: Int {
        switch self {
        case .field(_, let o), .variable(_, _, let o), .dot(let o), .nil(let o), .constant(_, _, let o),
            .number(_, let o), .identifier(_, _, let o), .chain(_, _, let o):
            o
        case .pipeline(let p): p.offset
        }
    }
}

extension Argument: CustomStringConvertible {
    var description: String {
        switch self {
        case .field(let names, _): names.map { "." + $0 }.joined()
        case .variable(let name, let fields, _): name + fields.map { "." + $0 }.joined()
        case .dot: "."
        case .nil: "nil"
        case .constant(_, let text, _): text
        case .number(let number, _): number.text
        case .identifier(let name, _, _): name
        case .pipeline(let pipe): "(\(pipe))"
        case .chain(let base, let fields, _):
            (base.isPipeline ? "(\(base.innerDescription))" : base.description) + fields.map { "." + $0 }.joined()
        }
    }

    var isPipeline: Bool {
        if case .pipeline = self { return true }
        return false
    }

    private var innerDescription: String {
        if case .pipeline(let p) = self { return p.description }
        return description
    }
}

extension Command: CustomStringConvertible {
    var description: String { arguments.map(\.description).joined(separator: " ") }
}

extension Pipeline: CustomStringConvertible {
    var description: String {
        var s = ""
        if !declarations.isEmpty {
            s = declarations.joined(separator: ", ") + (isAssign ? " = " : " := ")
        }
        return s + commands.map(\.description).joined(separator: " | ")
    }
}

extension Node: CustomStringConvertible {
    var description: String {
        switch self {
        case .text(let bytes): String(decoding: bytes, as: UTF8.self)
        case .action(let pipe): "{{\(pipe)}}"
        case .if(let b): b.describe("if")
        case .with(let b): b.describe("with")
        case .range(let b): b.describe("range")
        case .template(let name, let pipe, _):
            pipe.map { "{{template \(goQuote(name)) \($0)}}" } ?? "{{template \(goQuote(name))}}"
        case .break: "{{break}}"
        case .continue: "{{continue}}"
        }
    }
}

extension Branch {
    fileprivate func describe(_ keyword: String) -> String {
        let body = list.map(\.description).joined()
        if let elseList {
            return "{{\(keyword) \(pipe)}}\(body){{else}}\(elseList.map(\.description).joined()){{end}}"
        }
        return "{{\(keyword) \(pipe)}}\(body){{end}}"
    }
}
