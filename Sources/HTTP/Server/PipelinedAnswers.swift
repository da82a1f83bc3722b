import Platform

/// The answers one server connection owes, one slot per request parsed, leaving in request order.
///
/// Handlers fill slots in any order; `drain` serializes the ready ones from the front. A streamed answer
/// holds the front slot until it finishes; chunks of a stream behind it are buffered in its slot.
/// A value used on the connection's loop thread only.
struct PipelinedAnswers {
    private enum Answer {
        case waiting
        case ready(HTTPResponse)
        case stream(Stream)
    }

    private struct Stream {
        var writer: HTTPBodyWriter
        var status: Int
        var headers: HTTPHeaders
        var buffered: [UInt8] = []
        var headWritten = false
        var finished = false
    }

    private struct Slot {
        var keepAlive: Bool
        var isHEAD: Bool
        var isHTTP10: Bool
        var answer: Answer = .waiting
    }

    /// Where `chunk` put a stream's body part.
    enum ChunkPlacement: Equatable {
        /// Not an open stream (answered, closed, or never started): dropped.
        case ignored
        /// The stream is at the front with its head out: the caller writes the chunk to the socket.
        case direct
        /// Buffered behind an earlier answer; the stream's slot now holds this many bytes.
        case buffered(Int)
    }

    private var slots: [Slot] = []
    /// The sequence number of `slots[0]`.
    private var firstSequence = 0

    /// Requests parsed and not yet fully answered.
    var count: Int { slots.count }
    var isEmpty: Bool { slots.isEmpty }

    /// Whether the front answer is a stream (a peer leaving it has gone away; nobody reads the rest).
    var frontIsStream: Bool {
        guard let first = slots.first, case .stream = first.answer else { return false }
        return true
    }

    /// Opens a slot for a request just parsed. - Returns: its sequence number, for `HTTPResponder`.
    mutating func open(for head: HTTPRequestHead) -> Int {
        slots.append(Slot(keepAlive: head.keepAlive, isHEAD: head.method == "HEAD", isHTTP10: head.version.minor == 0))
        return firstSequence + slots.count - 1
    }

    /// Adds an answer of the server's own (a rejection) after the others; it ends the connection.
    mutating func appendFinal(_ response: HTTPResponse) {
        slots.append(Slot(keepAlive: false, isHEAD: false, isHTTP10: false, answer: .ready(response)))
    }

    /// Fills a waiting slot. - Returns: whether it is the front one (so `drain` has work), nil if ignored.
    mutating func complete(_ sequence: Int, with response: HTTPResponse) -> Bool? {
        guard let index = waitingIndex(of: sequence) else { return nil }
        slots[index].answer = .ready(response)
        return index == 0
    }

    /// Makes a waiting slot a stream. - Returns: whether it is the front one, nil if ignored.
    mutating func startStream(_ sequence: Int, status: Int, headers: HTTPHeaders, writer: HTTPBodyWriter) -> Bool? {
        guard let index = waitingIndex(of: sequence) else { return nil }
        slots[index].answer = .stream(Stream(writer: writer, status: status, headers: headers))
        return index == 0
    }

    /// Places a body part of a stream: the caller writes `.direct` ones, the rest wait in the slot.
    mutating func chunk(_ sequence: Int, _ bytes: [UInt8]) -> ChunkPlacement {
        let index = sequence - firstSequence
        guard index >= 0, index < slots.count, case .stream(var stream) = slots[index].answer else { return .ignored }
        if index == 0 && stream.headWritten { return .direct }
        // Taken out of the slot while it grows, so appending does not copy the buffer.
        slots[index].answer = .waiting
        HTTPSerializer.writeChunk(bytes, into: &stream.buffered)
        let buffered = stream.buffered.count
        slots[index].answer = .stream(stream)
        return .buffered(buffered)
    }

    /// Marks a stream finished. - Returns: whether it is the front one, nil if ignored.
    mutating func finishStream(_ sequence: Int) -> Bool? {
        let index = sequence - firstSequence
        guard index >= 0, index < slots.count, case .stream(var stream) = slots[index].answer else { return nil }
        stream.finished = true
        slots[index].answer = .stream(stream)
        return index == 0
    }

    /// Serializes every ready answer from the front into `out`, stopping at one still waiting or streaming.
    /// - Returns: true when an answer that ends the connection went out; the caller then drops the slots
    ///   after it with `removeAll`.
    mutating func drain(into out: inout [UInt8]) -> Bool {
        while let slot = slots.first {
            let connection = slot.keepAlive ? (slot.isHTTP10 ? "keep-alive" : nil) : "close"
            switch slot.answer {
            case .waiting:
                return false
            case .ready(let response):
                let noBody = response.status < 200 || response.status == 204 || response.status == 304
                HTTPSerializer.writeResponseHead(
                    status: response.status, headers: response.headers,
                    framing: noBody ? .none : .length(response.body.count), connection: connection, into: &out)
                if !slot.isHEAD && !noBody { out.append(contentsOf: response.body) }
            case .stream(var stream):
                if !stream.headWritten {
                    HTTPSerializer.writeResponseHead(
                        status: stream.status, headers: stream.headers, framing: .chunked, connection: connection,
                        into: &out)
                    stream.headWritten = true
                }
                if !stream.buffered.isEmpty {
                    out.append(contentsOf: stream.buffered)
                    stream.buffered = []
                }
                guard stream.finished else {
                    slots[0].answer = .stream(stream)
                    return false
                }
                HTTPSerializer.writeLastChunk(into: &out)
            }
            slots.removeFirst()
            firstSequence += 1
            if !slot.keepAlive { return true }
        }
        return false
    }

    /// Drops every slot. - Returns: the writers of the streams among them, for the caller to close once it
    /// no longer mutates this value (their `onClose` callbacks may answer other requests).
    mutating func removeAll() -> [HTTPBodyWriter] {
        var writers: [HTTPBodyWriter] = []
        for slot in slots { if case .stream(let stream) = slot.answer { writers.append(stream.writer) } }
        slots.removeAll()
        return writers
    }

    private func waitingIndex(of sequence: Int) -> Int? {
        let index = sequence - firstSequence
        guard index >= 0, index < slots.count, case .waiting = slots[index].answer else { return nil }
        return index
    }
}
