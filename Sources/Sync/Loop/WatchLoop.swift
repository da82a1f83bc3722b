import KV
import Platform

/// `--watch`: one watch per resource key set, started at the revision of that resource's full read,
/// events applied to the read, bursts coalesced, reads retried until they succeed.
struct WatchLoop {
    enum Event: Sendable {
        case change(generation: Int, index: Int, BackendChange)
        case watchEnded(generation: Int, index: Int, reason: String, compacted: Bool)
        case timer
        case signal(SignalEvents.Event)
        case probe(Bool)
    }

    let engine: SyncEngine
    var resources: [Resource]
    var generation = 0
    var reads: [KeyRead?] = []
    var needsRead: Set<Int> = []
    var dirty: Set<Int> = []
    var watches: [Task<Void, Never>] = []
    var coalescer: Coalescer
    var timer: (task: Task<Void, Never>, deadline: ContinuousClock.Instant)?
    var readFailureLogged = false
    var storeUp = true
    let events: AsyncStream<Event>
    let sink: AsyncStream<Event>.Continuation

    init(engine: SyncEngine, resources: [Resource]) {
        (events, sink) = AsyncStream<Event>.makeStream()
        self.engine = engine
        self.resources = resources
        coalescer = Coalescer(quiet: engine.configuration.waitMinimum, maximum: engine.configuration.waitMaximum)
    }

    var log: Log { engine.log }

    mutating func run(signals: AsyncStream<SignalEvents.Event>) async -> Int32 {
        let sink = self.sink
        let forward = Task {
            for await signal in signals { sink.yield(.signal(signal)) }
        }
        let backend = engine.backend
        let interval = engine.configuration.probeInterval
        let prober = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                sink.yield(.probe(await backend.probe()))
            }
        }
        defer {
            forward.cancel()
            prober.cancel()
            for watch in watches { watch.cancel() }
            timer?.task.cancel()
        }
        startGeneration()
        await cycle()
        for await event in events {
            switch event {
            case .signal(.terminate(let number)):
                log.info("exiting", ["signal": "\(number)"])
                return 0
            case .signal(.reload):
                log.info("SIGHUP: reading resources and templates again")
                resources = engine.reloadResources()
                startGeneration()
                await cycle()
            case .change(let g, let index, let change) where g == generation:
                apply(change, to: index)
                coalescer.change(at: .now)
            case .watchEnded(let g, let index, let reason, let compacted) where g == generation:
                if compacted {
                    log.warning("watch history compacted, reading everything again", ["dest": resources[index].dest])
                } else {
                    log.warning(
                        "watch ended, reading everything again", ["dest": resources[index].dest, "reason": reason])
                }
                needsRead.insert(index)
                coalescer.change(at: .now)
            case .timer:
                timer = nil
                if coalescer.isDue(at: .now) { await cycle() }
            case .probe(let up):
                reportStore(up: up)
            case .change, .watchEnded:
                break  // from a generation SIGHUP replaced
            }
            armTimer()
        }
        return 0
    }

    /// Forgets reads and watches, so every resource is read again (start and SIGHUP).
    mutating func startGeneration() {
        generation += 1
        for watch in watches { watch.cancel() }
        watches = resources.map { _ in Task {} }
        reads = resources.map { _ in nil }
        needsRead = Set(resources.indices)
        dirty = []
    }

    mutating func apply(_ change: BackendChange, to index: Int) {
        switch change {
        case .resync:
            needsRead.insert(index)
        case .events(let changes, let revision):
            guard var read = reads[index] else {
                needsRead.insert(index)
                return
            }
            for (key, value) in changes {
                if let value { read.pairs[key] = value } else { read.pairs[key] = nil }
            }
            read.revision = max(read.revision, revision)
            reads[index] = read
            engine.metrics.setRevision(revision)
            dirty.insert(index)
        }
    }

    /// Reads what needs reading, then processes every resource whose keys changed.
    mutating func cycle() async {
        coalescer.cycleStarted(at: .now)
        var failed = 0
        var lastError = ""
        for index in needsRead.sorted() {
            let resource = resources[index]
            do {
                let read = try await engine.backend.read(resource.storeKeys)
                reads[index] = read
                needsRead.remove(index)
                dirty.insert(index)
                engine.metrics.setRevision(read.revision)
                startWatch(index, after: read.revision)
            } catch {
                failed += 1
                lastError = "\(error)".oneLine
            }
        }
        if failed > 0 {
            // Rule 1: nothing renders from a failed read; say so once per outage, then retry quietly.
            if !readFailureLogged {
                log.warning(
                    "store read failed, keeping the last good config and retrying",
                    ["error": lastError, "resources": "\(failed)"])
                readFailureLogged = true
            }
            coalescer.change(at: .now + engine.configuration.retryInterval)
        } else if readFailureLogged {
            log.info("store read succeeded again")
            readFailureLogged = false
        }
        let ready = dirty.sorted().filter { reads[$0] != nil }
        dirty.subtract(ready)
        guard !ready.isEmpty else { return }
        _ = await engine.process(ready.map { resources[$0] }, reads: ready.map { reads[$0] })
    }

    mutating func startWatch(_ index: Int, after revision: Revision) {
        watches[index].cancel()
        let keys = resources[index].storeKeys
        let stream = engine.backend.watch(keys, after: revision)
        let sink = self.sink
        let generation = self.generation
        watches[index] = Task {
            do {
                for try await change in stream {
                    sink.yield(.change(generation: generation, index: index, change))
                }
                if !Task.isCancelled {
                    sink.yield(
                        .watchEnded(generation: generation, index: index, reason: "watch ended", compacted: false))
                }
            } catch let error as KVError {
                if case .compacted = error {
                    sink.yield(.watchEnded(generation: generation, index: index, reason: "\(error)", compacted: true))
                } else if !Task.isCancelled {
                    sink.yield(
                        .watchEnded(generation: generation, index: index, reason: "\(error)".oneLine, compacted: false))
                }
            } catch {
                if !Task.isCancelled {
                    sink.yield(
                        .watchEnded(generation: generation, index: index, reason: "\(error)".oneLine, compacted: false))
                }
            }
        }
    }

    mutating func reportStore(up: Bool) {
        guard up != storeUp else { return }
        storeUp = up
        engine.metrics.setWatch(up: up)
        if up {
            log.info("store reachable again, catching up")
        } else {
            log.warning("store unreachable, keeping the last good config")
        }
    }

    /// Keeps one timer task armed at the coalescer's deadline.
    mutating func armTimer() {
        guard let deadline = coalescer.deadline else {
            timer?.task.cancel()
            timer = nil
            return
        }
        if let timer, timer.deadline == deadline { return }
        timer?.task.cancel()
        let sink = self.sink
        let task = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            if !Task.isCancelled { sink.yield(.timer) }
        }
        timer = (task, deadline)
    }
}
