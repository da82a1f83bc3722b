/// Pipelines, commands, fields and function calls, evaluated as Go's `exec.go` does: each argument is
/// converted to its parameter's Go type before the call, and errors are reported at the node last
/// reached (`at`), so positions and messages are Go's.
extension Executor {
    /// Records the node being evaluated, as Go's `state.at`.
    @inline(__always)
    mutating func at(_ offset: Int, _ kind: AtKind) {
        atOffset = offset
        atKind = kind
    }

    /// A Go-worded error at the node last reached.
    func failure(_ message: String) -> Failure {
        failure(atOffset, template.context(of: atOffset, atKind), message)
    }

    /// `final` is the previous command's result in a pipeline; nil when there is none.
    mutating func evalPipeline(_ pipe: Pipeline, dot: Value) throws -> Value {
        at(pipe.offset, .pipeline)
        var value: Value?
        for command in pipe.commands {
            value = try evalCommand(command, dot: dot, final: value)
        }
        let result = value ?? .none
        for name in pipe.declarations {
            if pipe.isAssign {
                guard let i = variables.lastIndex(where: { $0.name == name }) else {
                    throw failure("undefined variable: \(name)")
                }
                variables[i].value = result
            } else {
                variables.append((name, result))
            }
        }
        return result
    }

    private func notAFunction(_ command: Command?, final: Value?) throws {
        guard let command, command.arguments.count > 1 || final != nil else { return }
        throw failure("can't give argument to non-function \(command.arguments[0])")
    }

    private mutating func evalCommand(_ command: Command, dot: Value, final: Value?) throws -> Value {
        let first = command.arguments[0]
        switch first {
        case .field(let names, let offset):
            at(offset, .argument)
            return try evalFieldChain(dot, receiver: dot, names, command, final: final)
        case .chain(let base, let names, let offset):
            return try evalChain(base, names, offset, dot: dot, command: command, final: final)
        case .identifier(let name, let slot, let offset):
            return try evalFunction(name, slot: slot, offset: offset, command: command, dot: dot, final: final)
        case .pipeline(let pipe):
            try notAFunction(command, final: final)
            try enter(pipe.offset, first.description)
            defer { nesting -= 1 }
            return try evalPipeline(pipe, dot: dot)
        case .variable(let name, let names, let offset):
            return try evalVariable(name, names, offset, dot: dot, command: command, final: final)
        case .dot(let offset):
            at(offset, .argument)
            try notAFunction(command, final: final)
            return dot
        case .nil(let offset):
            at(offset, .argument)
            try notAFunction(command, final: final)
            throw failure("nil is not a command")
        case .constant(let value, _, let offset):
            at(offset, .argument)
            try notAFunction(command, final: final)
            return value
        case .number(let number, let offset):
            at(offset, .argument)
            try notAFunction(command, final: final)
            return try ideal(number, offset: offset)
        }
    }

    /// A number constant where no parameter type decides: Go's `idealConstant`.
    private mutating func ideal(_ number: GoNumber, offset: Int) throws -> Value {
        at(offset, .argument)
        guard let value = number.ideal else { throw failure("\(number.text) overflows int") }
        return value
    }

    private mutating func evalVariable(
        _ name: String, _ names: [String], _ offset: Int, dot: Value, command: Command?, final: Value?
    ) throws -> Value {
        at(offset, .argument)
        guard let entry = variables.last(where: { $0.name == name }) else {
            throw failure("undefined variable: \(name)")
        }
        if names.isEmpty {
            try notAFunction(command, final: final)
            return entry.value
        }
        return try evalFieldChain(dot, receiver: entry.value, names, command, final: final)
    }

    private mutating func evalChain(
        _ base: Argument, _ names: [String], _ offset: Int, dot: Value, command: Command?, final: Value?
    ) throws -> Value {
        at(offset, .argument)
        if case .nil = base {
            throw failure("indirection through explicit nil in \(Argument.chain(base, names, offset: offset))")
        }
        let receiver = try evalArg(base, as: .any, dot: dot)
        return try evalFieldChain(dot, receiver: receiver, names, command, final: final)
    }

    /// Go's `evalArg`: an argument converted to the parameter type `type`.
    mutating func evalArg(_ argument: Argument, as type: GoType, dot: Value) throws -> Value {
        at(argument.offset, argument.isPipeline ? .pipeline : .argument)
        switch argument {
        case .dot:
            return try validate(dot, as: type)
        case .nil:
            guard type.canBeNil else { throw failure("cannot assign nil to \(type.name)") }
            return type.zero
        // Each value is computed before `validate` runs: written as one expression, Swift would read
        // `self` (and its `at`) for the call before the argument moved it.
        case .field(let names, _):
            let value = try evalFieldChain(dot, receiver: dot, names, nil, final: nil)
            return try validate(value, as: type)
        case .variable(let name, let names, let offset):
            let value = try evalVariable(name, names, offset, dot: dot, command: nil, final: nil)
            return try validate(value, as: type)
        case .pipeline(let pipe):
            try enter(pipe.offset, argument.description)
            defer { nesting -= 1 }
            let value = try evalPipeline(pipe, dot: dot)
            return try validate(value, as: type)
        case .identifier(let name, let slot, let offset):
            let value = try evalFunction(name, slot: slot, offset: offset, command: nil, dot: dot, final: nil)
            return try validate(value, as: type)
        case .chain(let base, let names, let offset):
            let value = try evalChain(base, names, offset, dot: dot, command: nil, final: nil)
            return try validate(value, as: type)
        case .constant(let value, let text, _):
            switch (type, value) {
            case (.any, _), (.reflectValue, _), (.string, .string), (.bool, .bool): return value
            case (.string, _): throw failure("expected string; found \(text)")
            case (.int, _): throw failure("expected integer; found \(text)")
            case (.bool, _): throw failure("expected bool; found \(text)")
            default: throw failure("can't handle \(text) for arg of type \(type.name)")
            }
        case .number(let number, let offset):
            switch type {
            case .any, .reflectValue: return try ideal(number, offset: offset)
            case .int:
                guard let n = number.int else { throw failure("expected integer; found \(number.text)") }
                return .int(n)
            case .string: throw failure("expected string; found \(number.text)")
            case .bool: throw failure("expected bool; found \(number.text)")
            default: throw failure("can't handle \(number.text) for arg of type \(type.name)")
            }
        }
    }

    /// Go's `validateType`: a computed value must be assignable to the parameter type.
    private func validate(_ value: Value, as type: GoType) throws -> Value {
        if case .none = value {
            guard type.canBeNil else { throw failure("invalid value; expected \(type.name)") }
            return type.zero
        }
        guard let accepted = type.accepts(value) else {
            throw failure("wrong type for value; expected \(type.name); got \(value.goTypeName)")
        }
        return accepted
    }

    private mutating func evalFieldChain(
        _ dot: Value, receiver: Value, _ names: [String], _ command: Command?, final: Value?
    ) throws -> Value {
        var receiver = receiver
        for name in names.dropLast() {
            receiver = try evalField(name, receiver: receiver, command: nil, final: nil, dot: dot)
        }
        return try evalField(names[names.count - 1], receiver: receiver, command: command, final: final, dot: dot)
    }

    private mutating func evalField(
        _ name: String, receiver: Value, command: Command?, final: Value?, dot: Value
    ) throws -> Value {
        let hasArguments = (command?.arguments.count ?? 0) > 1 || final != nil
        switch receiver {
        case .none:
            return .none
        case .map(let map):
            if hasArguments { throw failure("\(name) is not a method but has arguments") }
            return map[name] ?? .none
        case .pair(let pair):
            if name == "Key" || name == "Value" {
                if hasArguments { throw failure("\(name) has arguments but cannot be invoked as function") }
                return .string(name == "Key" ? pair.key : pair.value)
            }
        case .srv(let srv):
            let fields: [String: Value] = [
                "Target": .string(srv.target), "Port": .int(srv.port), "Priority": .int(srv.priority),
                "Weight": .int(srv.weight),
            ]
            if let field = fields[name] {
                if hasArguments { throw failure("\(name) has arguments but cannot be invoked as function") }
                return field
            }
        case .time(let date, let zone):
            if let method = GoTime.signature(name) {
                let values = try callArguments(name, method, command, final: final, dot: dot)
                do {
                    if let value = try GoTime.method(name, date: date, zone: zone, arguments: values) { return value }
                } catch {
                    throw failure("error calling \(name): \(error)")
                }
            }
        default:
            break
        }
        throw failure("can't evaluate field \(name) in type \(receiver.goTypeName)")
    }

    /// Go's `evalCall` up to the call: the argument count first, then each argument converted in order.
    private mutating func callArguments(
        _ name: String, _ signature: Signature, _ command: Command?, final: Value?, dot: Value
    ) throws -> [Value] {
        let arguments = command?.arguments.dropFirst() ?? []
        let count = arguments.count + (final == nil ? 0 : 1)
        if signature.variadic != nil {
            if count < signature.parameters.count {
                throw failure(
                    "wrong number of args for \(name): want at least \(signature.parameters.count) got \(arguments.count)"
                )
            }
        } else if count != signature.parameters.count {
            throw failure("wrong number of args for \(name): want \(signature.parameters.count) got \(count)")
        }
        var values: [Value] = []
        values.reserveCapacity(count)
        for (i, argument) in arguments.enumerated() {
            values.append(try evalArg(argument, as: signature.type(at: i), dot: dot))
        }
        if let final { values.append(try validate(final, as: signature.type(at: arguments.count))) }
        return values
    }

    private mutating func evalFunction(
        _ name: String, slot: Int, offset: Int, command: Command?, dot: Value, final: Value?
    ) throws -> Value {
        at(offset, .argument)
        guard let function = functions[slot] else { throw failure("\(goQuote(name)) is not a defined function") }
        let slotInfo = slots[slot]
        let signature = slotInfo.signature
        if slotInfo.shortCircuits {
            return try evalShortCircuit(name, signature, command, dot: dot, final: final)
        }
        let values = try callArguments(name, signature, command, final: final, dot: dot)
        let result: Value
        do {
            result = try function(values)
        } catch {
            // Go reports a failed call at the command (or the lone identifier).
            if let command { at(command.offset, .command) } else { at(offset, .argument) }
            throw failure("error calling \(name): \(error)")
        }
        try account(result)
        if slotInfo.worksInPlace {
            shareInPlaceChange(of: values.first, to: result)
        }
        return result
    }

    /// confd's `reverse`, `sortByLength` and `sortKVByLength` work in place on the Go slice they are
    /// given, so every variable holding that slice sees the new order. Values here are copies; a
    /// variable that shares the argument's storage is the same Go slice, and takes the result's order.
    private mutating func shareInPlaceChange(of argument: Value?, to result: Value) {
        guard case .list(let before, _)? = argument, case .list(let after, _) = result, before.count == after.count,
            !before.isEmpty, let identity = before.withUnsafeBufferPointer({ $0.baseAddress })
        else { return }
        for i in variables.indices {
            guard case .list(let items, let kind) = variables[i].value,
                items.withUnsafeBufferPointer({ $0.baseAddress }) == identity
            else { continue }
            variables[i].value = .list(after, kind)
        }
    }

    /// Go 1.18+: `and`/`or` stop at the first argument that decides the result.
    private mutating func evalShortCircuit(
        _ name: String, _ signature: Signature, _ command: Command?, dot: Value, final: Value?
    ) throws -> Value {
        let arguments = command?.arguments.dropFirst() ?? []
        guard !arguments.isEmpty || final != nil else {
            throw failure("wrong number of args for \(name): want at least 1 got 0")
        }
        var last: Value = .none
        for argument in arguments {
            last = try evalArg(argument, as: .reflectValue, dot: dot)
            if last.isTrue == (name == "or") { return last }
        }
        if let final { last = final }
        return last
    }
}
