import Platform

/// Bytes waiting to be written to one socket; the storage is reused between messages.
///
/// Serializers append straight into it (`append { out in ... }`), so a response costs no allocation of
/// its own once the buffer has grown to the connection's usual size.
package struct OutboundBuffer {
    /// The outcome of `write(to:)`.
    package enum Flush: Equatable {
        /// Everything was written.
        case drained
        /// The socket is full; wait for `.writable`.
        case blocked
        /// The write failed with this `errno`; the connection is gone.
        case failed(Int32)
    }

    private var bytes: [UInt8] = []
    private var offset = 0
    /// Capacity kept after draining; a larger buffer (a big body) is released.
    private let retainedCapacity = 64 * 1024

    package init() {}

    /// Bytes not yet written.
    package var count: Int { bytes.count - offset }
    package var isEmpty: Bool { offset == bytes.count }

    /// Lets `body` append to the pending bytes.
    package mutating func append(_ body: (inout [UInt8]) -> Void) {
        compactIfWorthIt()
        body(&bytes)
    }

    /// Appends `data`.
    package mutating func append(contentsOf data: some Sequence<UInt8>) {
        compactIfWorthIt()
        bytes.append(contentsOf: data)
    }

    /// Writes as much as the socket takes.
    package mutating func write(to fd: Int32) -> Flush {
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                Socket.write(fd, from: UnsafeRawBufferPointer(rebasing: buffer[offset...]))
            }
            switch result {
            case .bytes(let n): offset += n
            case .wouldBlock, .endOfFile: return .blocked
            case .failed(let code): return .failed(code)
            }
        }
        reset()
        return .drained
    }

    /// Writes the pending bytes and then `extra` in one system call. Returns how much of `extra` the socket
    /// took; the caller queues the rest. Call only when something is pending.
    package mutating func write(to fd: Int32, then extra: UnsafeRawBufferPointer) -> (Flush, extraWritten: Int) {
        let pending = count
        let result = bytes.withUnsafeBytes { buffer in
            Socket.write(fd, from: UnsafeRawBufferPointer(rebasing: buffer[offset...]), then: extra)
        }
        switch result {
        case .bytes(let n) where n < pending:
            offset += n
            return (.blocked, 0)
        case .bytes(let n):
            reset()
            return (n - pending == extra.count ? .drained : .blocked, n - pending)
        case .wouldBlock, .endOfFile: return (.blocked, 0)
        case .failed(let code): return (.failed(code), 0)
        }
    }

    /// Writes as much as `send` takes: the loop of `write(to:)` over something other than a socket (a test's
    /// in-memory peer).
    package mutating func write(using send: (UnsafeRawBufferPointer) -> IOResult) -> Flush {
        while offset < bytes.count {
            switch bytes.withUnsafeBytes({ send(UnsafeRawBufferPointer(rebasing: $0[offset...])) }) {
            case .bytes(let n): offset += n
            case .wouldBlock, .endOfFile: return .blocked
            case .failed(let code): return .failed(code)
            }
        }
        reset()
        return .drained
    }

    /// Drops everything pending.
    package mutating func reset() {
        offset = 0
        if bytes.capacity > retainedCapacity {
            bytes = []
        } else {
            bytes.removeAll(keepingCapacity: true)
        }
    }

    private mutating func compactIfWorthIt() {
        guard offset > 0, offset >= bytes.count / 2 else { return }
        bytes.removeFirst(offset)
        offset = 0
    }
}
