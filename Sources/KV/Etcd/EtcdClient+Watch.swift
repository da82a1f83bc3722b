import Formats
import HTTP
import Platform

extension EtcdClient {
    /// Keeps one logical watch alive across broken connections and endpoint failures.
    func runWatch(_ request: WatchRequest, _ continuation: WatchStream.Continuation) async {
        var next = request.startRevision
        var pause = configuration.watchBackoff.first
        var lostSince: Duration? = nil
        let clock = SystemClock()
        while !Task.isCancelled {
            let endpoint = currentEndpoint
            var resumeFrom = request
            resumeFrom.startRevision = next
            do {
                let response = try await openWatch(resumeFrom, at: endpoint)
                var lines = LineSplitter(maxLineBytes: configuration.maxWatchLineBytes)
                for try await chunk in response.body {
                    for line in try lines.feed(chunk) {
                        let message = try GatewayResponses.decodeWatchMessage(try JSONParser.parse(line))
                        if message.created {
                            // A watch "from now" must resume after what the server had when it started.
                            if next == 0 { next = message.header.revision + 1 }
                            if lostSince != nil {
                                log.info("watch resumed", ["endpoint": "\(endpoint)", "from": "\(next)"])
                                lostSince = nil
                            }
                            pause = configuration.watchBackoff.first
                            continue
                        }
                        if message.compactRevision != 0 {
                            response.cancel()
                            continuation.finish(
                                throwing: KVError.compacted(requested: next, compactRevision: message.compactRevision))
                            return
                        }
                        if message.canceled {
                            throw KVError.unavailable(
                                endpoints: [endpoint.description], reason: "watch canceled: \(message.cancelReason)")
                        }
                        guard let last = message.events.last else { continue }
                        let resumeAt = next
                        next = last.kv.modRevision + 1
                        let batch = WatchBatch(events: message.events, revision: message.header.revision)
                        if case .dropped = continuation.yield(batch) {
                            // The consumer fell behind: end its stream, never buffer without bound.
                            response.cancel()
                            let error = KVError.unavailable(
                                endpoints: [endpoint.description],
                                reason:
                                    "watch on \(request.range) fell behind and its buffer filled; watch again from revision \(resumeAt)"
                            )
                            log.warning("watch consumer fell behind; ended its watch", ["from": "\(resumeAt)"])
                            continuation.finish(throwing: error)
                            return
                        }
                    }
                }
                throw KVError.unavailable(endpoints: [endpoint.description], reason: "watch stream ended")
            } catch let error as KVError where error.isPermanentWatchFailure {
                continuation.finish(throwing: error)
                return
            } catch {
                if Task.isCancelled { break }
                markEndpointFailed(endpoint)
                if lostSince == nil {
                    lostSince = clock.now
                    log.warning("watch lost, reconnecting", ["endpoint": "\(endpoint)", "error": "\(error)"])
                }
            }
            // Capped exponential backoff with jitter, so many routers do not reconnect in lockstep.
            let jittered = Duration.nanoseconds(Int64.random(in: pause.nanoseconds / 2...max(pause.nanoseconds, 1)))
            try? await Task.sleep(for: jittered)
            pause = min(pause * 2, configuration.watchBackoff.max)
        }
        continuation.finish()
    }

    func openWatch(_ request: WatchRequest, at endpoint: Endpoint) async throws -> HTTPResponseStream {
        let body = Array(GatewayLeaseWatch.encode(request).serialized.utf8)
        let response = try await httpClient.stream(
            HTTPClientRequest(
                method: "POST", path: "/v3/watch", headers: HTTPHeaders([("Content-Type", "application/json")]),
                body: body), to: endpoint)
        guard response.status == 200 else {
            response.cancel()
            let reason = "watch answered HTTP \(response.status)"
            // A 4xx is our request's fault and will not get better by retrying.
            if (400..<500).contains(response.status) { throw KVError.invalidRequest(reason) }
            throw KVError.unavailable(endpoints: [endpoint.description], reason: reason)
        }
        return response
    }
}

extension KVError {
    /// Failures a watch cannot recover from by reconnecting.
    var isPermanentWatchFailure: Bool {
        switch self {
        case .invalidRequest, .compacted: true
        default: false
        }
    }
}

/// Splits a byte stream into newline-terminated lines (the watch stream's framing), each at most
/// `maxLineBytes` long so a server that never sends a newline cannot grow memory without bound.
struct LineSplitter {
    private var pending: [UInt8] = []
    var maxLineBytes = 64 * 1024 * 1024

    init(maxLineBytes: Int = 64 * 1024 * 1024) { self.maxLineBytes = maxLineBytes }

    /// - Throws: `KVError.protocolViolation` when a line grows past `maxLineBytes`.
    mutating func feed(_ bytes: [UInt8]) throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = 0
        for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            if pending.isEmpty {
                lines.append(Array(bytes[start..<i]))
            } else {
                pending.append(contentsOf: bytes[start..<i])
                lines.append(pending)
                pending.removeAll(keepingCapacity: true)
            }
            start = i + 1
        }
        pending.append(contentsOf: bytes[start...])
        if pending.count > maxLineBytes || lines.contains(where: { $0.count > maxLineBytes }) {
            pending = []
            throw KVError.protocolViolation("watch line longer than \(maxLineBytes) bytes")
        }
        return lines.filter { !$0.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") } }
    }
}

extension EtcdClient {
    /// Where history starts: etcd's range error does not say, but a watch from revision 1 answers with
    /// `compact_revision` at once. 0 when it cannot be learned within a second.
    func compactRevision(of range: KeyRange) async -> Revision {
        let request = WatchRequest(range, from: 1)
        return await withTaskGroup(of: Revision.self) { group in
            group.addTask {
                guard let response = try? await self.openWatch(request, at: self.currentEndpoint) else { return 0 }
                defer { response.cancel() }
                var lines = LineSplitter()
                do {
                    for try await chunk in response.body {
                        for line in try lines.feed(chunk) {
                            let message = try GatewayResponses.decodeWatchMessage(try JSONParser.parse(line))
                            if message.compactRevision != 0 { return message.compactRevision }
                            if !message.created { return 0 }
                        }
                    }
                } catch {
                    return 0  // only a hint for an error message: unknown is an honest answer
                }
                return 0
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(1))
                return 0
            }
            let first = await group.next() ?? 0
            group.cancelAll()
            return first
        }
    }
}
