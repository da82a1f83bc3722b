import Platform
import Synchronization

/// Keeps lines in memory, for tests that assert on logs.
package final class MemoryLogSink: LogSink {
    private let lines = Mutex<[String]>([])
    package init() {}
    package func write(_ line: String) { lines.withLock { $0.append(line) } }
    /// Every line written so far.
    package var written: [String] { lines.withLock { $0 } }
}
