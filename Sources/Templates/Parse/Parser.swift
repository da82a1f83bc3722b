/// Builds node trees from tokens, following Go's text/template parser: its grammar, its
/// checks (undefined functions and variables, `break` outside `range`) and its messages.
struct Parser {
    /// A parse error and the byte offset it points at.
    struct Failure: Error {
        var offset: Int
        var message: String
    }

    private var tokens: [Token]
    private var index = 0
    private let functionNames: Set<String>
    private var variables: [String] = ["$"]
    private var rangeDepth = 0
    /// Controls, `else if`s, parentheses and definitions open around the current token: the parser
    /// recurses once per level, so a hostile text must not nest without end (`TemplateLimits.parseNesting`).
    private var nesting = 0
    /// The distinct function names used, in slot order.
    private(set) var functionSlots: [String] = []
    private var slotOfFunction: [String: Int] = [:]
    /// Templates made by `define` and `block`, by name.
    private(set) var definitions: [String: [Node]] = [:]

    init(tokens: [Token], functionNames: Set<String>) {
        self.tokens = tokens
        self.functionNames = functionNames
    }

    /// Parses the whole source; returns the root list; `definitions` then holds the rest.
    mutating func parseRoot() throws(Failure) -> [Node] {
        var root: [Node] = []
        while peek().kind != .eof {
            if peek().kind == .leftDelim, peek(skippingSpaceAfter: 1).kind == .keyword(.define) {
                next()
                _ = nextNonSpace()
                try parseDefinition()
                continue
            }
            switch try textOrAction() {
            case .node(let n): root.append(n)
            case .end(let t): throw Failure(offset: t.offset, message: "unexpected {{end}}")
            case .else(let t): throw Failure(offset: t.offset, message: "unexpected {{else}}")
            }
        }
        return root
    }

    // MARK: tokens

    private func peek() -> Token { tokens[index] }

    private func peek(skippingSpaceAfter n: Int) -> Token {
        var i = index + n
        while i < tokens.count - 1 && tokens[i].kind == .space { i += 1 }
        return tokens[min(i, tokens.count - 1)]
    }

    @discardableResult
    private mutating func next() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    private mutating func nextNonSpace() -> Token {
        var t = next()
        while t.kind == .space { t = next() }
        return t
    }

    private mutating func peekNonSpace() -> Token {
        while tokens[index].kind == .space { index += 1 }
        return tokens[index]
    }

    private mutating func enter(_ offset: Int) throws(Failure) {
        nesting += 1
        guard nesting <= TemplateLimits.parseNesting else {
            throw Failure(offset: offset, message: "exceeded maximum nesting depth (\(TemplateLimits.parseNesting))")
        }
    }

    private func unexpected(_ token: Token, _ context: String) -> Failure {
        Failure(offset: token.offset, message: "unexpected \(token.quoted) in \(context)")
    }

    private mutating func expect(_ kind: Token.Kind, _ context: String) throws(Failure) -> Token {
        let t = nextNonSpace()
        guard t.kind == kind else { throw unexpected(t, context) }
        return t
    }

    // MARK: lists and actions

    private enum Item {
        case node(Node)
        case end(Token)
        case `else`(Token)
    }

    private mutating func textOrAction() throws(Failure) -> Item {
        let t = nextNonSpace()
        switch t.kind {
        case .text: return .node(.text(Array(t.text.utf8)))
        case .leftDelim: return try action()
        default: throw unexpected(t, "input")
        }
    }

    /// Parses nodes up to `{{end}}` or `{{else}}`, which it returns too.
    private mutating func itemList() throws(Failure) -> ([Node], Item) {
        var list: [Node] = []
        while peekNonSpace().kind != .eof {
            let item = try textOrAction()
            switch item {
            case .node(let n): list.append(n)
            case .end, .else: return (list, item)
            }
        }
        throw Failure(offset: peek().offset, message: "unexpected EOF")
    }

    private mutating func action() throws(Failure) -> Item {
        let t = nextNonSpace()
        switch t.kind {
        case .keyword(.block): return .node(try blockControl())
        case .keyword(.break), .keyword(.continue):
            let word = String(t.text)
            let after = nextNonSpace()
            guard after.kind == .rightDelim else { throw unexpected(after, "{{\(word)}}") }
            guard rangeDepth > 0 else { throw Failure(offset: t.offset, message: "{{\(word)}} outside {{range}}") }
            return .node(word == "break" ? .break(offset: t.offset) : .continue(offset: t.offset))
        case .keyword(.else):
            if peekNonSpace().kind == .keyword(.if) { return .else(peek()) }
            _ = try expect(.rightDelim, "else")
            return .else(t)
        case .keyword(.end):
            _ = try expect(.rightDelim, "end")
            return .end(t)
        case .keyword(.if): return .node(.if(try parseControl(allowElseIf: true, context: "if")))
        case .keyword(.range): return .node(.range(try parseControl(allowElseIf: false, context: "range")))
        case .keyword(.with): return .node(.with(try parseControl(allowElseIf: false, context: "with")))
        case .keyword(.template): return .node(try templateControl())
        case .keyword(.define):
            throw Failure(offset: t.offset, message: "unexpected <define> in command")
        default:
            index -= 1
            // Variables declared here live until the enclosing control's {{end}}.
            return .node(.action(try pipeline(context: "command", end: .rightDelim)))
        }
    }

    private mutating func parseControl(allowElseIf: Bool, context: String) throws(Failure) -> Branch {
        try enter(peek().offset)
        let mark = variables.count
        defer {
            variables.removeSubrange(mark...)
            nesting -= 1
        }
        let pipe = try pipeline(context: context, end: .rightDelim)
        if context == "range" { rangeDepth += 1 }
        let (list, next) = try itemList()
        if context == "range" { rangeDepth -= 1 }
        var elseList: [Node]?
        if case .else = next {
            if allowElseIf && peekNonSpace().kind == .keyword(.if) {
                self.next()
                // `{{else if}}` nests an if; the one {{end}} closes both.
                elseList = [.if(try parseControl(allowElseIf: true, context: "if"))]
            } else {
                let (list, end) = try itemList()
                if case .else(let t) = end { throw Failure(offset: t.offset, message: "expected end; found {{else}}") }
                elseList = list
            }
        }
        return Branch(pipe: pipe, list: list, elseList: elseList)
    }

    private mutating func templateName(_ context: String) throws(Failure) -> String {
        let t = nextNonSpace()
        guard t.kind == .string || t.kind == .rawString else { throw unexpected(t, context) }
        return try unquote(t)
    }

    private mutating func templateControl() throws(Failure) -> Node {
        let context = "template clause"
        let offset = peekNonSpace().offset
        let name = try templateName(context)
        var pipe: Pipeline?
        if nextNonSpace().kind != .rightDelim {
            index -= 1
            pipe = try pipeline(context: context, end: .rightDelim)
        }
        return .template(name: name, pipe: pipe, offset: offset)
    }

    private mutating func blockControl() throws(Failure) -> Node {
        let context = "block clause"
        let offset = peekNonSpace().offset
        let name = try templateName(context)
        let pipe = try pipeline(context: context, end: .rightDelim)
        try parseBody(named: name, context: context)
        return .template(name: name, pipe: pipe, offset: offset)
    }

    private mutating func parseDefinition() throws(Failure) {
        let context = "define clause"
        let name = try templateName(context)
        _ = try expect(.rightDelim, context)
        try parseBody(named: name, context: context)
    }

    private mutating func parseBody(named name: String, context: String) throws(Failure) {
        try enter(peek().offset)
        defer { nesting -= 1 }
        let savedVariables = variables
        let savedDepth = rangeDepth
        variables = ["$"]
        rangeDepth = 0
        defer {
            variables = savedVariables
            rangeDepth = savedDepth
        }
        let (list, end) = try itemList()
        if case .else(let t) = end { throw Failure(offset: t.offset, message: "unexpected {{else}} in \(context)") }
        if case .end(let t) = end { try define(name, list, at: t.offset) }
    }

    /// Go's `Tree.add`: a definition replaces an empty one; an empty one never replaces another; two
    /// non-empty definitions of one name in one text are an error (Go 1.19).
    mutating func define(_ name: String, _ list: [Node], at offset: Int) throws(Failure) {
        guard let existing = definitions[name], !Self.isEmpty(existing) else {
            definitions[name] = list
            return
        }
        if !Self.isEmpty(list) {
            throw Failure(offset: offset, message: "template: multiple definition of template \(goQuote(name))")
        }
    }

    /// Go's `IsEmptyTree`: nothing but white space (comments are already gone).
    static func isEmpty(_ list: [Node]) -> Bool {
        list.allSatisfy { node in
            guard case .text(let bytes) = node else { return false }
            return bytes.allSatisfy { isSpace($0) || $0 == 0x0B || $0 == 0x0C }
        }
    }

    // MARK: pipelines

    private mutating func pipeline(context: String, end: Token.Kind) throws(Failure) -> Pipeline {
        var pipe = Pipeline(offset: peekNonSpace().offset)
        declarations: while peekNonSpace().kind == .variable {
            let variableIndex = index
            let variable = next()
            let following = peekNonSpace()
            switch following.kind {
            case .assign, .declare:
                pipe.isAssign = following.kind == .assign
                next()
                pipe.declarations.append(String(variable.text))
                variables.append(String(variable.text))
            case .comma:
                next()
                pipe.declarations.append(String(variable.text))
                variables.append(String(variable.text))
                if context == "range" && pipe.declarations.count < 2 {
                    switch peekNonSpace().kind {
                    case .variable, .rightDelim, .rightParen: continue declarations
                    default: throw Failure(offset: following.offset, message: "range can only initialize variables")
                    }
                }
                throw Failure(offset: following.offset, message: "too many declarations in \(context)")
            default:
                index = variableIndex
            }
            break
        }
        while true {
            let t = nextNonSpace()
            switch t.kind {
            case end:
                if pipe.commands.isEmpty {
                    throw Failure(offset: t.offset, message: "missing value for \(context)")
                }
                for (i, command) in pipe.commands.enumerated().dropFirst() {
                    switch command.arguments[0] {
                    case .constant, .number, .dot, .nil:
                        throw Failure(
                            offset: command.offset, message: "non executable command in pipeline stage \(i + 1)")
                    default: break
                    }
                }
                return pipe
            case .bool, .charConstant, .dot, .field, .identifier, .number, .nil, .rawString, .string, .variable,
                .leftParen:
                index -= 1
                pipe.commands.append(try command())
            default:
                throw unexpected(t, context)
            }
        }
    }

    private mutating func command() throws(Failure) -> Command {
        var command = Command(offset: peekNonSpace().offset)
        loop: while true {
            _ = peekNonSpace()
            if let operand = try operand() { command.arguments.append(operand) }
            let t = next()
            switch t.kind {
            case .space: continue loop
            case .rightDelim, .rightParen: index -= 1
            case .pipe: break
            default: throw unexpected(t, "operand")
            }
            break
        }
        if command.arguments.isEmpty { throw Failure(offset: command.offset, message: "empty command") }
        return command
    }

    private mutating func operand() throws(Failure) -> Argument? {
        guard let term = try term() else { return nil }
        guard peek().kind == .field else { return term }
        let offset = peek().offset
        var fields: [String] = []
        while peek().kind == .field { fields.append(String(next().text.dropFirst())) }
        switch term {
        // Go rebuilds the node from the chain, so it sits at the first trailing field (`$m.a` at `.a`).
        case .field(let names, _): return .field(names + fields, offset: offset)
        case .variable(let name, let names, _): return .variable(name, names + fields, offset: offset)
        case .constant, .number, .nil, .dot:
            throw Failure(offset: offset, message: "unexpected . after term \(goQuote(term.description))")
        default: return .chain(term, fields, offset: offset)
        }
    }

    private mutating func term() throws(Failure) -> Argument? {
        let t = nextNonSpace()
        switch t.kind {
        case .identifier:
            let name = String(t.text)
            guard functionNames.contains(name) else {
                throw Failure(offset: t.offset, message: "function \(goQuote(name)) not defined")
            }
            let slot = slotOfFunction[name] ?? functionSlots.count
            if slot == functionSlots.count {
                functionSlots.append(name)
                slotOfFunction[name] = slot
            }
            return .identifier(name, slot: slot, offset: t.offset)
        case .dot: return .dot(offset: t.offset)
        case .nil: return .nil(offset: t.offset)
        case .variable:
            let name = String(t.text)
            guard variables.contains(name) else {
                throw Failure(offset: t.offset, message: "undefined variable \(goQuote(name))")
            }
            return .variable(name, [], offset: t.offset)
        case .field: return .field([String(t.text.dropFirst())], offset: t.offset)
        case .bool: return .constant(.bool(t.text == "true"), text: String(t.text), offset: t.offset)
        case .number, .charConstant:
            switch GoNumber.parse(String(t.text), isCharacter: t.kind == .charConstant) {
            case .success(let number): return .number(number, offset: t.offset)
            case .failure(let error):
                let message =
                    switch error {
                    case .malformedCharacter: "malformed character constant: \(t.text)"
                    case .integerOverflow: "integer overflow: \(goQuote(String(t.text)))"
                    case .illegal:
                        GoLiteral.lexerAccepts(t.text)
                            ? "illegal number syntax: \(goQuote(String(t.text)))"
                            : "bad number syntax: \(goQuote(String(t.text)))"
                    }
                throw Failure(offset: t.offset, message: message)
            }
        case .leftParen:
            try enter(t.offset)
            defer { nesting -= 1 }
            return .pipeline(try pipeline(context: "parenthesized pipeline", end: .rightParen))
        case .string, .rawString:
            return .constant(.string(try unquote(t)), text: String(t.text), offset: t.offset)
        default:
            index -= 1
            return nil
        }
    }

    private func unquote(_ t: Token) throws(Failure) -> String {
        guard let s = GoLiteral.unquote(t.text) else { throw Failure(offset: t.offset, message: "invalid syntax") }
        return s
    }
}
