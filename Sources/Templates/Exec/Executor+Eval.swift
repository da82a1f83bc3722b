/// Pipelines, commands, fields and function calls, evaluated as Go's `exec.go` does.
extension Executor {
    /// `final` is the previous command's result in a pipeline; nil when there is none.
    mutating func evalPipeline(_ pipe: Pipeline, dot: Value) throws -> Value {
        var value: Value?
        for command in pipe.commands {
            value = try evalCommand(command, dot: dot, final: value)
        }
        let result = value ?? .none
        for name in pipe.declarations {
            if pipe.isAssign {
                guard let i = variables.lastIndex(where: { $0.name == name }) else {
                    throw failure(pipe.offset, pipe.description, "undefined variable: \(name)")
                }
                variables[i].value = result
            } else {
                variables.append((name, result))
            }
        }
        return result
    }

    private func notAFunction(_ command: Command, final: Value?) throws {
        if command.arguments.count > 1 || final != nil {
            let first = command.arguments[0]
            throw failure(first.offset, first.description, "can't give argument to non-function \(first)")
        }
    }

    private mutating func evalCommand(_ command: Command, dot: Value, final: Value?) throws -> Value {
        let first = command.arguments[0]
        switch first {
        case .field(let names, _):
            return try evalFieldChain(dot, receiver: dot, names, command, final: final, at: first)
        case .chain(let base, let names, let offset):
            if case .nil = base {
                throw failure(offset, first.description, "indirection through explicit nil in \(first)")
            }
            let receiver = try evalArgument(base, dot: dot)
            return try evalFieldChain(dot, receiver: receiver, names, command, final: final, at: first)
        case .identifier(let name, let slot, let offset):
            return try evalFunction(name, slot: slot, offset: offset, command: command, dot: dot, final: final)
        case .pipeline(let pipe):
            try notAFunction(command, final: final)
            try enter(pipe.offset, first.description)
            defer { nesting -= 1 }
            return try evalPipeline(pipe, dot: dot)
        case .variable(let name, let names, let offset):
            let value = try variable(name, offset: offset)
            if names.isEmpty {
                try notAFunction(command, final: final)
                return value
            }
            return try evalFieldChain(dot, receiver: value, names, command, final: final, at: first)
        case .dot:
            try notAFunction(command, final: final)
            return dot
        case .nil(let offset):
            throw failure(offset, "nil", "nil is not a command")
        case .constant(let value, _, _):
            try notAFunction(command, final: final)
            return value
        case .number(let number, let offset):
            try notAFunction(command, final: final)
            return try ideal(number, offset: offset)
        }
    }

    /// A number constant where no parameter type decides: Go's `idealConstant`.
    private func ideal(_ number: GoNumber, offset: Int) throws -> Value {
        guard let value = number.ideal else { throw failure(offset, number.text, "\(number.text) overflows int") }
        return value
    }

    private func variable(_ name: String, offset: Int) throws -> Value {
        guard let entry = variables.last(where: { $0.name == name }) else {
            throw failure(offset, name, "undefined variable: \(name)")
        }
        return entry.value
    }

    /// An argument's value; functions named without arguments are called with none.
    private mutating func evalArgument(_ argument: Argument, dot: Value) throws -> Value {
        switch argument {
        case .field(let names, _):
            return try evalFieldChain(dot, receiver: dot, names, nil, final: nil, at: argument)
        case .variable(let name, let names, let offset):
            let value = try variable(name, offset: offset)
            return names.isEmpty
                ? value
                : try evalFieldChain(dot, receiver: value, names, nil, final: nil, at: argument)
        case .dot: return dot
        case .nil: return .none
        case .constant(let value, _, _): return value
        case .number(let number, let offset): return try ideal(number, offset: offset)
        case .identifier(let name, let slot, let offset):
            return try evalFunction(name, slot: slot, offset: offset, command: nil, dot: dot, final: nil)
        case .pipeline(let pipe):
            try enter(pipe.offset, argument.description)
            defer { nesting -= 1 }
            return try evalPipeline(pipe, dot: dot)
        case .chain(let base, let names, let offset):
            if case .nil = base {
                throw failure(offset, argument.description, "indirection through explicit nil in \(argument)")
            }
            let receiver = try evalArgument(base, dot: dot)
            return try evalFieldChain(dot, receiver: receiver, names, nil, final: nil, at: argument)
        }
    }

    private mutating func evalFieldChain(
        _ dot: Value, receiver: Value, _ names: [String], _ command: Command?, final: Value?, at node: Argument
    ) throws -> Value {
        var receiver = receiver
        for name in names.dropLast() {
            receiver = try evalField(name, receiver: receiver, arguments: [], at: node)
        }
        var arguments: [Value] = []
        if let command {
            for argument in command.arguments.dropFirst() { arguments.append(try evalArgument(argument, dot: dot)) }
        }
        if let final { arguments.append(final) }
        return try evalField(names[names.count - 1], receiver: receiver, arguments: arguments, at: node)
    }

    private func evalField(_ name: String, receiver: Value, arguments: [Value], at node: Argument) throws -> Value {
        switch receiver {
        case .none:
            return .none
        case .map(let map):
            guard arguments.isEmpty else {
                throw failure(node.offset, node.description, "\(name) is not a method but has arguments")
            }
            return map[name] ?? .none
        case .pair(let pair):
            let field: Value? = name == "Key" ? .string(pair.key) : name == "Value" ? .string(pair.value) : nil
            if let field {
                guard arguments.isEmpty else {
                    throw failure(
                        node.offset, node.description, "\(name) has arguments but cannot be invoked as function")
                }
                return field
            }
        case .srv(let srv):
            let fields: [String: Value] = [
                "Target": .string(srv.target), "Port": .int(srv.port), "Priority": .int(srv.priority),
                "Weight": .int(srv.weight),
            ]
            if let field = fields[name] {
                guard arguments.isEmpty else {
                    throw failure(
                        node.offset, node.description, "\(name) has arguments but cannot be invoked as function")
                }
                return field
            }
        case .time(let date, let zone):
            do {
                if let value = try GoTime.method(name, date: date, zone: zone, arguments: arguments) { return value }
            } catch {
                throw failure(node.offset, node.description, callMessage(name, error))
            }
        default:
            break
        }
        throw failure(node.offset, node.description, "can't evaluate field \(name) in type \(receiver.goTypeName)")
    }

    private func callMessage(_ name: String, _ error: FunctionError) -> String {
        switch error {
        case .argumentCount(let want, let got): "wrong number of args for \(name): want \(want) got \(got)"
        case .argumentType: error.description
        case .failed(let message): "error calling \(name): \(message)"
        }
    }

    private mutating func evalFunction(
        _ name: String, slot: Int, offset: Int, command: Command?, dot: Value, final: Value?
    ) throws -> Value {
        guard let function = functions[slot] else {
            throw failure(offset, name, "\(goQuote(name)) is not a defined function")
        }
        let arguments = command?.arguments.dropFirst() ?? []
        // Described only when something fails: building it per call would dominate rendering.
        var context: String { command?.description ?? name }
        let at = command?.offset ?? offset
        if name == "and" || name == "or" {
            return try evalShortCircuit(name, Array(arguments), dot: dot, final: final, at: at, context: context)
        }
        var values: [Value] = []
        values.reserveCapacity(arguments.count + 1)
        // A number that fits no int is an error only where the parameter is not an int; which it is shows
        // only when the call fails on the stand-in value or succeeds.
        var overflowing: (GoNumber, Int)?
        for argument in arguments {
            if case .number(let number, let offset) = argument, number.ideal == nil {
                overflowing = overflowing ?? (number, offset)
                values.append(.float(number.float ?? 0))
            } else {
                values.append(try evalArgument(argument, dot: dot))
            }
        }
        if let final { values.append(final) }
        do {
            let result: Value
            do {
                result = try function(values)
            } catch FunctionError.argumentType(expected: "int", let got) {
                // Go converts a constant to the parameter's type: `add 1 2.0` and `mul 2 1e3` take ints.
                guard let retried = integralConstants(Array(arguments), values) else {
                    throw FunctionError.argumentType(expected: "int", got: got)
                }
                values = retried
                result = try function(values)
            }
            if let (number, offset) = overflowing, !integralConstantsUsed(Array(arguments), values) {
                throw failure(offset, number.text, "\(number.text) overflows int")
            }
            try account(result, at: at, context: context)
            return result
        } catch let error as FunctionError {
            if case .argumentCount = error { throw failure(offset, name, callMessage(name, error)) }
            if case .argumentType(let expected, let got) = error {
                throw argumentTypeFailure(expected, got, Array(arguments), values, fallback: (at, context))
            }
            throw failure(at, context, callMessage(name, error))
        } catch let error as Failure {
            throw error
        } catch {
            throw failure(at, context, "error calling \(name): \(error)")
        }
    }

    /// `values` with each number constant that Go would accept as an int parameter given as an int;
    /// nil when there is none to change.
    private func integralConstants(_ arguments: [Argument], _ values: [Value]) -> [Value]? {
        var changed = values
        var any = false
        for (i, argument) in arguments.enumerated() {
            guard case .number(let number, _) = argument, let n = number.int else { continue }
            if case .int = changed[i] { continue }
            changed[i] = .int(n)
            any = true
        }
        return any ? changed : nil
    }

    /// Whether every overflowing constant among `arguments` was passed where an int was taken.
    private func integralConstantsUsed(_ arguments: [Argument], _ values: [Value]) -> Bool {
        for (i, argument) in arguments.enumerated() {
            if case .number(let number, _) = argument, number.ideal == nil, case .float = values[i] { return false }
        }
        return true
    }

    /// Go reports a mistyped argument at that argument, in words that depend on whether it was
    /// a constant (`expected integer; found "1"`) or a computed value (`wrong type for value; ...`).
    private func argumentTypeFailure(
        _ expected: String, _ got: String, _ arguments: [Argument], _ values: [Value], fallback: (Int, String)
    ) -> Failure {
        guard let index = values.firstIndex(where: { $0.goTypeName == got }), index < arguments.count else {
            return failure(fallback.0, fallback.1, "wrong type for value; expected \(expected); got \(got)")
        }
        let argument = arguments[index]
        if case .number(let number, let offset) = argument {
            if expected == "int" || expected == "string" {
                return failure(
                    offset, number.text, "expected \(expected == "int" ? "integer" : expected); found \(number.text)")
            }
        }
        if case .constant(let value, let text, let offset) = argument {
            let kind = expected == "int" ? "integer" : expected
            if case .string = value, expected != "string" {
                return failure(offset, text, "expected \(kind); found \(text)")
            }
            if expected == "string" || expected == "int" {
                return failure(offset, text, "expected \(kind); found \(text)")
            }
        }
        return failure(argument.offset, argument.description, "wrong type for value; expected \(expected); got \(got)")
    }

    /// Go 1.18+: `and`/`or` stop at the first argument that decides the result.
    private mutating func evalShortCircuit(
        _ name: String, _ arguments: [Argument], dot: Value, final: Value?, at: Int, context: String
    ) throws -> Value {
        guard !arguments.isEmpty || final != nil else {
            throw failure(at, name, "wrong number of args for \(name): want at least 1 got 0")
        }
        var last: Value = .none
        for argument in arguments {
            last = try evalArgument(argument, dot: dot)
            if last.isTrue == (name == "or") { return last }
        }
        if let final { last = final }
        return last
    }
}
