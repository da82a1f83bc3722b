/// Which kind of node the executor last stood at. Go's executor records the node it is evaluating
/// (`state.at`) as it goes and reports any error there, so an error's position and `<context>` are
/// those of the innermost node reached, e.g. `<"/a">` when `(get "/a")` has the wrong type.
/// Only the offset and kind are recorded while rendering; the text is found when an error is reported.
enum AtKind: UInt8, Sendable {
    case template, pipeline, command, argument
}

extension Template {
    /// Go's `ErrorContext` text of the node of `kind` at `offset`: the node spelled as written.
    func context(of offset: Int, _ kind: AtKind) -> String {
        for list in allLists {
            if let found = Self.find(offset, kind, in: list) { return found }
        }
        return ""
    }

    private static func find(_ offset: Int, _ kind: AtKind, in list: [Node]) -> String? {
        for node in list {
            switch node {
            case .text, .break, .continue: continue
            case .action(let pipe):
                if let found = find(offset, kind, in: pipe) { return found }
            case .if(let branch), .with(let branch), .range(let branch):
                if let found = find(offset, kind, in: branch.pipe) { return found }
                if let found = find(offset, kind, in: branch.list) { return found }
                if let elseList = branch.elseList, let found = find(offset, kind, in: elseList) { return found }
            case .template(_, let pipe, let at):
                if kind == .template && at == offset { return node.description }
                if let pipe, let found = find(offset, kind, in: pipe) { return found }
            }
        }
        return nil
    }

    private static func find(_ offset: Int, _ kind: AtKind, in pipe: Pipeline) -> String? {
        if kind == .pipeline && pipe.offset == offset { return pipe.description }
        for command in pipe.commands {
            if kind == .command && command.offset == offset { return command.description }
            for argument in command.arguments {
                if let found = find(offset, kind, in: argument) { return found }
            }
        }
        return nil
    }

    private static func find(_ offset: Int, _ kind: AtKind, in argument: Argument) -> String? {
        switch argument {
        case .pipeline(let pipe):
            return find(offset, kind, in: pipe)
        case .chain(let base, _, let at):
            if kind == .argument && at == offset { return argument.description }
            return find(offset, kind, in: base)
        default:
            return kind == .argument && argument.offset == offset ? argument.description : nil
        }
    }
}
