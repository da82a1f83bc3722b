import Foundation
import KV

/// Keys from environment variables, as confd's env backend maps them: key `/services/web` selects every
/// variable starting with `SERVICES_WEB`, and variable `SERVICES_WEB_APP` is seen as `/services/web/app`.
package struct EnvBackend: SyncBackend {
    let environment: @Sendable () -> [String: String]

    package init(environment: @escaping @Sendable () -> [String: String] = { ProcessInfo.processInfo.environment }) {
        self.environment = environment
    }

    /// confd's `transform`: no leading "/", "/" to "_", upper case.
    package static func variablePrefix(of key: String) -> String {
        let trimmed = key.hasPrefix("/") ? String(key.dropFirst()) : key
        return trimmed.replacing("/", with: "_").uppercased()
    }

    /// confd's `clean`: lower case, "_" to "/", with a leading "/".
    package static func key(ofVariable name: String) -> String {
        ("/" + name).lowercased().replacing("_", with: "/")
    }

    package func read(_ keys: [String]) async throws -> KeyRead {
        let variables = environment()
        var pairs: [String: String] = [:]
        for key in keys {
            let prefix = Self.variablePrefix(of: key)
            for (name, value) in variables where name.hasPrefix(prefix) {
                pairs[Self.key(ofVariable: name)] = value
            }
        }
        return KeyRead(pairs: pairs, revision: 0)
    }

    /// The environment never changes while we run: a watch waits until cancelled, as confd's does.
    package func watch(_ keys: [String], after revision: Revision) -> AsyncThrowingStream<BackendChange, any Error> {
        let (stream, continuation) = AsyncThrowingStream<BackendChange, any Error>.makeStream()
        // Held by its own termination handler, so the stream stays open until the consumer cancels.
        continuation.onTermination = { [continuation] _ in _ = continuation }
        return stream
    }

    package func probe() async -> Bool { true }
}
