/// Named functions a template may call, like Go's `template.FuncMap`.
///
/// Functions get evaluated arguments and return a value; they throw `FunctionError` to say
/// what was wrong, and the executor adds where (`error calling getv: ...`).
package struct FunctionSet: Sendable {
    /// One function: arguments in, value out.
    package typealias Function = @Sendable ([Value]) throws -> Value

    package private(set) var functions: [String: Function]

    /// A set holding exactly `functions`.
    package init(_ functions: [String: Function] = [:]) {
        self.functions = functions
    }

    /// The names this set defines.
    package var names: Set<String> { Set(functions.keys) }

    /// This set with `other`'s functions added; on a clash `other` wins, as confd's `addFuncs` does.
    package func merging(_ other: FunctionSet) -> FunctionSet {
        FunctionSet(functions.merging(other.functions) { _, new in new })
    }

    /// confd's functions over an empty store: enough to compile a template once and check its names.
    package static let confdSignatures: FunctionSet = .confd(SortedKeySnapshot([:]), environment: .fixed())
}

/// Checks a function's argument count, as Go does from the function's signature.
func expectCount(_ args: [Value], _ count: Int) throws(FunctionError) {
    guard args.count == count else { throw .argumentCount(want: String(count), got: args.count) }
}

/// Checks a variadic function's minimum argument count.
func expectAtLeast(_ args: [Value], _ count: Int) throws(FunctionError) {
    guard args.count >= count else { throw .argumentCount(want: "at least \(count)", got: args.count) }
}

extension Value {
    /// The string inside, or Go's type error for a `string` parameter.
    func asString() throws(FunctionError) -> String {
        if case .string(let s) = self { return s }
        throw .argumentType(expected: "string", got: goTypeName)
    }

    /// The int inside, or Go's type error for an `int` parameter.
    func asInt() throws(FunctionError) -> Int {
        if case .int(let n) = self { return n }
        throw .argumentType(expected: "int", got: goTypeName)
    }

    /// The strings of a `[]string`, or Go's type error.
    func asStrings() throws(FunctionError) -> [String] {
        if case .list(let items, .strings) = self {
            return items.map { if case .string(let s) = $0 { s } else { "" } }
        }
        throw .argumentType(expected: "[]string", got: goTypeName)
    }
}
