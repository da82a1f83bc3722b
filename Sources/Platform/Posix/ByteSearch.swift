import Glibc

/// Finding a byte with libc's vectorised `memchr`, for parsers that skip to the next line end.
package enum ByteSearch {
    /// The index of the first `byte` in `buffer` at or after `start`, or nil.
    @inline(__always)
    package static func firstIndex(of byte: UInt8, in buffer: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < buffer.count, let base = buffer.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), buffer.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }
}
