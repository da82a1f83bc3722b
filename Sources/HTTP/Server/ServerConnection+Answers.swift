import Platform

/// Answers reaching a `ServerConnection` from handlers (on any thread, hopping to the loop): whole
/// responses and streamed ones, written in request order. Answers made while input is processed are
/// queued and leave together at the end of the event; others are written at once.
extension ServerConnection {
    func complete(_ sequence: Int, with response: HTTPResponse) {
        guard !closed, let atFront = answers.complete(sequence, with: response) else { return }
        if atFront { drainAndParseHeld() }
    }

    func startStream(_ sequence: Int, status: Int, headers: HTTPHeaders, writer: HTTPBodyWriter) {
        guard !closed, let atFront = answers.startStream(sequence, status: status, headers: headers, writer: writer)
        else {
            writer.markClosed()
            return
        }
        if atFront { drainAndParseHeld() }
    }

    func streamWrite(_ sequence: Int, _ bytes: [UInt8]) {
        guard !closed else { return }
        let limit = context.configuration.streamBufferLimit
        switch answers.chunk(sequence, bytes) {
        case .ignored:
            return
        case .direct:
            // Counted before writing, as everything the peer has not taken yet plus this chunk.
            channel.queue { HTTPSerializer.writeChunk(bytes, into: &$0) }
            guard channel.queued <= limit else {
                context.log.warning("closing stream: peer is not reading", ["queued": "\(channel.queued)"])
                close()
                return
            }
            if !inRead { channel.flush() }
        case .buffered(let count):
            guard count <= limit else {
                // A stream queued behind another that never ends would otherwise grow without bound.
                context.log.warning("closing stream: queued behind another response", ["queued": "\(count)"])
                close()
                return
            }
        }
    }

    func streamFinish(_ sequence: Int) {
        guard !closed, let atFront = answers.finishStream(sequence) else { return }
        if atFront { drainAndParseHeld() }
    }

    private func drainAndParseHeld() {
        drain()
        parseHeld()
    }

    /// Moves every answer that is ready, in order, to the socket; after one that ends the connection,
    /// drops the rest and closes once it is written.
    func drain() {
        var ended = false
        if inRead {
            channel.queue { ended = answers.drain(into: &$0) }
        } else {
            channel.write { ended = answers.drain(into: &$0) }
        }
        guard ended else { return closeAfterFlushingIfNothingOwed() }
        readingStopped = true
        updateReading()
        for writer in answers.removeAll() { writer.markClosed() }
        closeAfterFlushing()
    }

    /// Parses input held back at the pipelining limit once answers made room.
    private func parseHeld() {
        guard !held.isEmpty, !closed, !readingStopped, answers.count < context.configuration.maxPipelinedRequests
        else { return }
        let bytes = held
        held = []
        let wasInRead = inRead
        inRead = true
        bytes.withUnsafeBytes { process($0) }
        // Answers made meanwhile were queued: they leave together at the end of this event.
        inRead = wasInRead
        updateReading()
    }
}
