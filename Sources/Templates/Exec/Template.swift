import Foundation
import Synchronization

/// A compiled template: parse once, render many times against new snapshots.
///
/// ```swift
/// let template = try Template(name: "nginx.tmpl", text: source)      // checks syntax and names
/// let config = try template.render(SortedKeySnapshot(pairs), environment: .process)  // confd's functions
/// ```
/// Rendering is a pure function of the tree, the functions and the data; the only shared state is a
/// size hint (an atomic), so one `Template` may render on many threads at once.
package struct Template: Sendable {
    /// The name errors carry (confd uses the source file's base name).
    package let name: String
    private let root: [Node]
    private let definitions: [String: [Node]]
    /// The functions the text calls, by slot; rendering looks each up once, not per call.
    let functionSlots: [String]
    /// The last output's size: the next render reserves it up front instead of growing a megabyte by doubling.
    private let sizeHint = SizeHint()

    /// Template calls may nest this deep; deeper recursion is an error, never a crash.
    package static let maximumDepth = TemplateLimits.callDepth

    /// Parses `text`; every function the text names must be in `functions` (by name only).
    /// - Throws: `TemplateError.parse` naming the template, line and column; nothing is kept.
    package init(name: String, text: String, functions: FunctionSet = .confdSignatures) throws(TemplateError) {
        self.name = name
        self.source = Array(text.utf8)
        let tokens: [Token]
        do throws(Lexer.Failure) {
            tokens = try Lexer.tokenize(text)
        } catch {
            throw Self.located(name, text, error.offset, error.message)
        }
        var parser = Parser(tokens: tokens, functionNames: functions.names.union(FunctionSet.goBuiltins.names))
        let parsed: [Node]
        do throws(Parser.Failure) {
            parsed = try parser.parseRoot()
        } catch {
            throw Self.located(name, text, error.offset, error.message)
        }
        // The text itself is added last under its own name, by the same rule as a definition.
        do throws(Parser.Failure) {
            try parser.define(name, parsed, at: text.utf8.count)
        } catch {
            throw Self.located(name, text, error.offset, error.message)
        }
        root = parsed
        functionSlots = parser.functionSlots
        self.definitions = parser.definitions
    }

    /// The names of the templates `define` and `block` made, and this one's own.
    package var templateNames: [String] { definitions.keys.sorted() }

    /// Renders with confd's functions reading `keys` and `environment`, and nil data, exactly as confd runs
    /// templates.
    /// - Throws: `TemplateError.execution`; no partial output is returned.
    package func render(_ keys: some KeySnapshot, environment: ConfdEnvironment) throws(TemplateError) -> String {
        try render(functions: .confd(keys, environment: environment), data: .none)
    }

    /// Renders the named template (default: this one) with Go's builtins, then `functions`, and `data` as dot.
    /// - Throws: `TemplateError.execution` or `.undefinedTemplate`; no partial output is returned.
    package func render(
        template: String? = nil, functions: FunctionSet, data: Value = .none
    ) throws(TemplateError) -> String {
        let start = template ?? name
        guard let list = definitions[start] else { throw TemplateError.undefinedTemplate(name: start) }
        let all = FunctionSet.goBuiltins.merging(functions).functions
        var executor = Executor(template: self, functions: functionSlots.map { all[$0] })
        executor.output.reserveCapacity(max(4096, sizeHint.bytes.load(ordering: .relaxed)))
        do {
            try executor.run(list, dot: data)
        } catch let failure as Executor.Failure {
            throw failure.error
        } catch {
            throw TemplateError.execution(
                name: name, template: name, line: 1, column: 0, context: "", message: String(describing: error))
        }
        sizeHint.bytes.store(executor.output.count + executor.output.count / 8, ordering: .relaxed)
        return String(decoding: executor.output, as: UTF8.self)
    }

    func definition(_ name: String) -> [Node]? { definitions[name] }

    /// Every parsed list, for finding a node by its offset when an error is reported.
    var allLists: [[Node]] { [root] + definitions.values }

    /// The 1-based line and 0-based byte column of `offset`, as Go reports them.
    static func lineAndColumn(_ text: [UInt8], _ offset: Int) -> (Int, Int) {
        var line = 1
        var lineStart = 0
        for i in 0..<min(offset, text.count) where text[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        return (line, offset - lineStart)
    }

    private static func located(_ name: String, _ text: String, _ offset: Int, _ message: String) -> TemplateError {
        let (line, column) = lineAndColumn(Array(text.utf8), offset)
        return .parse(name: name, line: line, column: column, message: message)
    }

    /// The source, kept for turning offsets into line:column when rendering fails.
    let source: [UInt8]
}

/// A shared, thread-safe output size estimate.
private final class SizeHint: Sendable {
    let bytes = Atomic<Int>(0)
}
