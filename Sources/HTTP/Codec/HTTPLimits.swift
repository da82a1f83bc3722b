import Platform

/// Size limits a parser enforces before it buffers anything, so a peer cannot make us hold unbounded data.
package struct HTTPLimits: Sendable, Hashable {
    /// Longest request line (method, target, version) in bytes; beyond it the answer is 414.
    package var maxRequestLine: Int
    /// Largest head (start line plus header fields) in bytes; beyond it the answer is 431.
    package var maxHeaderBlock: Int
    /// Most header fields in one head; beyond it the answer is 431.
    package var maxHeaderCount: Int
    /// Largest body in bytes, declared or chunked; beyond it the answer is 413.
    package var maxBody: Int

    /// 8 KiB request line, 64 KiB head, 100 fields, 4 MiB body unless told otherwise.
    package init(
        maxRequestLine: Int = 8 * 1024, maxHeaderBlock: Int = 64 * 1024, maxHeaderCount: Int = 100,
        maxBody: Int = 4 * 1024 * 1024
    ) {
        self.maxRequestLine = maxRequestLine
        self.maxHeaderBlock = maxHeaderBlock
        self.maxHeaderCount = maxHeaderCount
        self.maxBody = maxBody
    }
}
