import Formats
import Foundation
import Platform
import Sync
import Templates

/// `router render TEMPLATE --kv FILE.json`: renders a confd template once against keys from
/// a JSON file, the tool to reach for when a template misbehaves.
package enum RenderCommand {
    static let spec = CommandSpec(
        name: "router render",
        synopsis: "router render TEMPLATE --kv FILE.json",
        summary: """
            Renders TEMPLATE (Go text/template with confd's functions) against the keys in
            FILE.json, a JSON object from key to string value, e.g.
              {"/services/web/app/app@1": "10.0.0.1:8080"}
            Keys are stored as confd stores them: "/a/", "//a" and "a" are all "/a".
            Prints the output to standard output and exits 0; on failure prints one line to
            standard error and exits 1 (2 for usage errors).
            """,
        flags: [
            FlagSpec("kv", value: "FILE.json", help: "the keys to render against (required)"),
            LogLevelFlag.spec, CheckConfig.spec,
        ],
        positionals: ["TEMPLATE"])

    /// Runs the command with the arguments after `render`; returns the exit status.
    package static func run(_ arguments: [String]) async -> Int32 {
        await spec.run(arguments) { flags in
            guard let kvPath = flags.string("kv") else { throw UsageError("missing --kv FILE.json") }
            _ = try LogLevelFlag.parse(flags)  // accepted as by every command; render logs nothing
            // Checking both files means rendering them: a template's errors are only known once executed.
            let result = render(templatePath: flags.positionals[0], kvPath: kvPath)
            if CheckConfig.isRequested(flags) {
                if case .failure(let message) = result {
                    printError(message.description)
                    return 2
                }
                return CheckConfig.passed("render")
            }
            switch result {
            case .success(let output):
                Posix.writeStandardOutput(exactly: output)
                return 0
            case .failure(let message):
                // The message is already worded for the user (Go's template errors name the file).
                printError(message.description)
                return 1
            }
        }
    }

    /// A one-line failure reason, printed to standard error.
    package struct Message: Error, CustomStringConvertible, Equatable {
        package var description: String

        /// A reason worded for the user.
        package init(description: String) {
            self.description = description
        }
    }

    /// Reads both files and renders; the error is one line. `run` prints what this returns.
    package static func render(templatePath: String, kvPath: String) -> Result<String, Message> {
        guard let templateData = FileManager.default.contents(atPath: templatePath) else {
            return .failure(Message(description: "render: cannot read template \(templatePath)"))
        }
        guard let kvData = FileManager.default.contents(atPath: kvPath) else {
            return .failure(Message(description: "render: cannot read key file \(kvPath)"))
        }
        let pairs: [String: String]
        switch keyValues(from: [UInt8](kvData), path: kvPath) {
        case .success(let read): pairs = read
        case .failure(let message): return .failure(message)
        }
        let name = URL(fileURLWithPath: templatePath).lastPathComponent
        do {
            // The guard functions (hostPorts, isHostPort, isHostname) render here as under `router sync`.
            let template = try Template(guardedName: name, text: String(decoding: templateData, as: UTF8.self))
            return .success(try template.renderGuarded(SortedKeySnapshot(pairs)).output)
        } catch {
            return .failure(Message(description: error.description))
        }
    }

    /// `{"/key": "value", ...}`: a JSON object of keys to string values.
    static func keyValues(from bytes: [UInt8], path: String) -> Result<[String: String], Message> {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch let error as JSONParseError {
            return .failure(Message(description: "render: \(path): invalid JSON at byte \(error.offset): \(error)"))
        } catch {
            return .failure(Message(description: "render: \(path): invalid JSON: \(error)"))
        }
        guard case .object(let members) = json else {
            return .failure(Message(description: "render: \(path): expected a JSON object of key to string value"))
        }
        var pairs: [String: String] = [:]
        pairs.reserveCapacity(members.count)
        // Keys need not be clean or absolute: the snapshot stores them as confd does, path.Join("/", key).
        for (key, value) in members {
            guard case .string(let string) = value else {
                return .failure(Message(description: "render: \(path): value of \(key) is not a string"))
            }
            pairs[key] = string
        }
        return .success(pairs)
    }
}
