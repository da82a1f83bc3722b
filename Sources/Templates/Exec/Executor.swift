/// Walks a parsed template and writes its output, with Go's execution semantics:
/// variable scopes, truthiness, range over lists and sorted maps, break/continue,
/// and template calls capped at `Template.maximumDepth`.
struct Executor {
    /// A rendering error, already worded and located.
    struct Failure: Error {
        var error: TemplateError
    }

    private enum Flow {
        case normal, breakLoop, continueLoop
    }

    let template: Template
    /// The template's functions by slot; nil where the render's set lacks one.
    let functions: [FunctionSet.Function?]
    var output: [UInt8] = []
    var variables: [(name: String, value: Value)] = []
    private var depth = 0
    /// Control structures, template calls and parenthesised pipelines being evaluated, one inside another.
    var nesting = 0
    /// Bytes of strings functions returned so far, and `range` iterations run (`TemplateLimits`).
    var produced = 0
    private var iterations = 0
    /// The node last reached (Go's `state.at`): errors are reported there.
    var atOffset = 0
    var atKind = AtKind.pipeline
    /// The template being executed, for `executing "name"` in messages.
    private var executing: String

    /// What each function slot needs per call, looked up once per render rather than by name per call.
    struct Slot {
        var signature: Signature
        /// `and`/`or`, which evaluate their arguments lazily.
        var shortCircuits: Bool
        /// confd's functions that change the Go slice they are given.
        var worksInPlace: Bool
    }
    let slots: [Slot]

    init(template: Template, functions: [FunctionSet.Function?]) {
        self.template = template
        self.functions = functions
        self.executing = template.name
        slots = template.functionSlots.map { name in
            Slot(
                signature: Signature.of(name), shortCircuits: name == "and" || name == "or",
                worksInPlace: name == "reverse" || name == "sortByLength" || name == "sortKVByLength")
        }
    }

    mutating func run(_ list: [Node], dot: Value) throws {
        variables = [("$", dot)]
        _ = try walk(list, dot: dot)
    }

    /// A Go-worded error at `offset`, naming the action `context`.
    func failure(_ offset: Int, _ context: String, _ message: String) -> Failure {
        let (line, column) = Template.lineAndColumn(template.source, offset)
        return Failure(
            error: .execution(
                name: template.name, template: executing, line: line, column: column, context: context,
                message: message))
    }

    private mutating func walk(_ list: [Node], dot: Value) throws -> Flow {
        for node in list {
            let flow = try walk(node, dot: dot)
            if flow != .normal { return flow }
        }
        return .normal
    }

    /// Bounds the recursion of `walk` and `evalPipeline` whatever the template nests; see `TemplateLimits`.
    mutating func enter(_ offset: Int, _ context: @autoclosure () -> String) throws(Failure) {
        nesting += 1
        guard nesting <= TemplateLimits.executionNesting else {
            throw failure(offset, context(), "exceeded maximum nesting depth (\(TemplateLimits.executionNesting))")
        }
    }

    /// Counts a function's result against the render's budget of produced bytes.
    mutating func account(_ result: Value) throws {
        switch result {
        case .string(let s): produced += s.utf8.count
        case .list(let items, _): produced += items.count * MemoryLayout<Value>.stride
        default: return
        }
        guard produced <= TemplateLimits.producedBytes else {
            throw failure("functions made more than \(TemplateLimits.producedBytes) bytes of values")
        }
    }

    private mutating func walk(_ node: Node, dot: Value) throws -> Flow {
        switch node {
        case .text(let bytes):
            output.append(contentsOf: bytes)
            guard output.count <= TemplateLimits.outputBytes else {
                throw Failure(error: .outputTooLong(name: template.name, limit: TemplateLimits.outputBytes))
            }
        case .action(let pipe):
            let value = try evalPipeline(pipe, dot: dot)
            if pipe.declarations.isEmpty {
                do {
                    try GoFormat.printValue(value, into: &output)
                } catch {
                    throw failure(error.description)
                }
                guard output.count <= TemplateLimits.outputBytes else {
                    throw Failure(error: .outputTooLong(name: template.name, limit: TemplateLimits.outputBytes))
                }
            }
        case .if(let branch), .with(let branch):
            try enter(branch.pipe.offset, node.description)
            let mark = variables.count
            defer {
                variables.removeSubrange(mark...)
                nesting -= 1
            }
            let value = try evalPipeline(branch.pipe, dot: dot)
            var isWith = false
            if case .with = node { isWith = true }
            if value.isTrue {
                return try walk(branch.list, dot: isWith ? value : dot)
            } else if let elseList = branch.elseList {
                return try walk(elseList, dot: dot)
            }
        case .range(let branch):
            try enter(branch.pipe.offset, node.description)
            defer { nesting -= 1 }
            return try walkRange(branch, dot: dot)
        case .template(let name, let pipe, let offset):
            at(offset, .template)
            guard let list = template.definition(name) else { throw failure("template \(goQuote(name)) not defined") }
            guard depth < Template.maximumDepth else {
                throw failure("exceeded maximum template depth (\(Template.maximumDepth))")
            }
            try enter(offset, node.description)
            defer { nesting -= 1 }
            let newDot = try pipe.map { try evalPipeline($0, dot: dot) } ?? .none
            let savedVariables = variables
            let savedName = executing
            variables = [("$", newDot)]
            executing = name
            depth += 1
            defer {
                depth -= 1
                variables = savedVariables
                executing = savedName
            }
            _ = try walk(list, dot: newDot)
        case .break:
            return .breakLoop
        case .continue:
            return .continueLoop
        }
        return .normal
    }

    private mutating func walkRange(_ branch: Branch, dot: Value) throws -> Flow {
        let outerMark = variables.count
        defer { variables.removeSubrange(outerMark...) }
        let value = try evalPipeline(branch.pipe, dot: dot)
        let mark = variables.count
        let declared = branch.pipe.declarations.count
        func iterate(_ index: Value, _ element: Value, _ executor: inout Executor) throws -> Flow {
            executor.iterations += 1
            guard executor.iterations <= TemplateLimits.rangeIterations else {
                throw executor.failure("range loops ran more than \(TemplateLimits.rangeIterations) times")
            }
            if declared > 0 { executor.variables[mark - 1].value = element }
            if declared > 1 { executor.variables[mark - 2].value = index }
            defer { executor.variables.removeSubrange(mark...) }
            return try executor.walk(branch.list, dot: element)
        }
        var ranOnce = false
        switch value {
        case .list(let items, _):
            for (i, item) in items.enumerated() {
                ranOnce = true
                if try iterate(.int(i), item, &self) == .breakLoop { break }
            }
        case .map(let map):
            for key in map.keys.sorted(by: goLess) {
                ranOnce = true
                if try iterate(.string(key), map[key] ?? .none, &self) == .breakLoop { break }
            }
        case .none:
            break
        default:
            throw failure("range can't iterate over \((try? GoFormat.sprint([value])) ?? value.goTypeName)")
        }
        if !ranOnce, let elseList = branch.elseList {
            return try walk(elseList, dot: dot)
        }
        return .normal
    }
}

/// Go orders strings by their bytes, which is what UTF-8 comparison gives.
func goLess(_ a: String, _ b: String) -> Bool {
    compareUTF8(a, b) < 0
}

/// Byte-wise three-way comparison over the strings' contiguous UTF-8, without copying them.
@inline(__always)
func compareUTF8(_ a: String, _ b: String) -> Int {
    let fast = a.utf8.withContiguousStorageIfAvailable { pa in
        b.utf8.withContiguousStorageIfAvailable { pb in
            let n = min(pa.count, pb.count)
            var i = 0
            while i < n {
                if pa[i] != pb[i] { return Int(pa[i]) - Int(pb[i]) }
                i += 1
            }
            return pa.count - pb.count
        }
    }
    if let result = fast ?? nil { return result }
    if a.utf8.elementsEqual(b.utf8) { return 0 }
    return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
}

/// Whether `s` starts with the bytes of `prefix`.
@inline(__always)
func hasUTF8Prefix(_ s: String, _ prefix: String) -> Bool {
    let fast = s.utf8.withContiguousStorageIfAvailable { ps in
        prefix.utf8.withContiguousStorageIfAvailable { pp in
            guard ps.count >= pp.count else { return false }
            var i = 0
            while i < pp.count {
                if ps[i] != pp[i] { return false }
                i += 1
            }
            return true
        }
    }
    if let result = fast ?? nil { return result }
    return s.utf8.starts(with: prefix.utf8)
}
