import Platform
import Synchronization
import Templates

/// The injection guard, our extension to confd's functions: a store value reaches nginx only when it is
/// a strict `HOST:PORT` (Platform's `HostPort`: IPv4, bracketed IPv6 or a DNS name, and a port).
///
/// - `hostPorts (gets "/services/web/app/*")`: the pairs whose value is a strict `HOST:PORT`; each refused
///   pair is recorded (its key), so the caller logs it once and renders the rest.
/// - `isHostPort "10.0.0.1:80"`: true or false.
/// - `isHostname "app"`: whether an app name (from a key) is a DNS name, safe as an upstream name and
///   in `server_name`.
///
/// `router sync` and `router render` merge `HostPortGuard.functions(...)` into confd's set.
package final class HostPortGuard: Sendable {
    private let refused = Mutex<[String]>([])

    package init() {}

    /// The names this guard adds, to compile templates that call them.
    package static let signatures: FunctionSet = HostPortGuard().functions

    /// Keys refused since the last `takeRefused()`, in the order seen, without repeats.
    package func takeRefused() -> [String] {
        refused.withLock { keys in
            defer { keys.removeAll() }
            var seen: Set<String> = []
            return keys.filter { seen.insert($0).inserted }
        }
    }

    /// Whether `text` is a strict `HOST:PORT`.
    package static func isStrict(_ text: String) -> Bool {
        // HostPort allows nothing but its grammar; a value with a newline or spaces never parses.
        (try? HostPort.parse(text)) != nil
    }

    /// The template functions, recording refusals in this guard.
    package var functions: FunctionSet {
        FunctionSet([
            "hostPorts": { [self] args in
                guard args.count == 1 else { throw FunctionError.argumentCount(want: "1", got: args.count) }
                guard case .list(let items, let kind) = args[0], kind == .kvPairs || kind == .kvPairSlice else {
                    throw FunctionError.argumentType(expected: "memkv.KVPairs", got: args[0].goTypeName)
                }
                var kept: [Value] = []
                for item in items {
                    guard case .pair(let pair) = item else { continue }
                    if Self.isStrict(pair.value) {
                        kept.append(item)
                    } else {
                        refused.withLock { $0.append(pair.key) }
                    }
                }
                return .list(kept, kind)
            },
            "isHostname": { args in
                guard args.count == 1 else { throw FunctionError.argumentCount(want: "1", got: args.count) }
                guard case .string(let text) = args[0] else {
                    throw FunctionError.argumentType(expected: "string", got: args[0].goTypeName)
                }
                return .bool(HostPort.isHostname(Substring(text)))
            },
            "isHostPort": { args in
                guard args.count == 1 else { throw FunctionError.argumentCount(want: "1", got: args.count) }
                guard case .string(let text) = args[0] else {
                    throw FunctionError.argumentType(expected: "string", got: args[0].goTypeName)
                }
                return .bool(Self.isStrict(text))
            },
        ])
    }
}

extension Template {
    /// Compiles `text` knowing confd's functions and the guard's (`hostPorts`, `isHostPort`, `isHostname`),
    /// as `router sync` does; `router render` uses it so the shipped template renders there too.
    /// - Throws: `TemplateError.parse`.
    package init(guardedName name: String, text: String) throws(TemplateError) {
        try self.init(name: name, text: text, functions: FunctionSet.confdSignatures.merging(HostPortGuard.signatures))
    }

    /// Renders with confd's functions over `keys` plus the guard; `refused` lists the keys the guard left out.
    /// - Throws: `TemplateError.execution`; no partial output.
    package func renderGuarded(_ keys: some KeySnapshot) throws(TemplateError) -> (output: String, refused: [String]) {
        let guardFunctions = HostPortGuard()
        let output = try render(
            functions: FunctionSet.confd(keys, environment: .process).merging(guardFunctions.functions), data: .none)
        return (output, guardFunctions.takeRefused())
    }
}
