import KV
import Platform
import Templates

/// `router sync`'s engine: loads resources, reads keys, processes resources and runs reloads, once
/// (`--onetime`), every interval, or on every change (`--watch`), until SIGTERM.
package final class SyncEngine: Sendable {
    let configuration: SyncConfiguration
    let backend: any SyncBackend
    let log: Log
    package let metrics: SyncMetrics
    let processor: ResourceProcessor

    /// - Parameter output: where `--noop` diffs go (standard output in `router sync`).
    package init(
        configuration: SyncConfiguration, backend: any SyncBackend, log: Log, metrics: SyncMetrics = SyncMetrics(),
        output: @escaping @Sendable (String) -> Void
    ) {
        self.configuration = configuration
        self.backend = backend
        self.log = log
        self.metrics = metrics
        self.processor = ResourceProcessor(options: configuration.options, log: log, output: output)
    }

    /// Runs in the configured mode; returns the exit status (confd's: 0, or 1 when `--onetime` saw a failure
    /// or a resource file did not load at start).
    package func run(signals: AsyncStream<SignalEvents.Event>) async -> Int32 {
        let (resources, errors) = ResourceLoader.load(configuration, log: log)
        guard errors.isEmpty else {
            for error in errors { log.error("cannot load template resources", ["error": error.description.oneLine]) }
            return 1
        }
        switch configuration.mode {
        case .onetime:
            return await process(resources, reads: resources.map { _ in nil }) ? 0 : 1
        case .interval(let interval):
            return await runEvery(interval, resources, signals: signals)
        case .watch:
            var loop = WatchLoop(engine: self, resources: resources)
            return await loop.run(signals: signals)
        }
    }

    /// Processes resources in order, reading keys for those without a read, then runs each distinct
    /// `reload_cmd` once. Returns whether everything succeeded; a failure never stops the others.
    func process(_ resources: [Resource], reads: [KeyRead?]) async -> Bool {
        var ok = true
        var reloads: [String] = []
        for (resource, cached) in zip(resources, reads) {
            let read: KeyRead
            if let cached {
                read = cached
            } else {
                do {
                    read = try await backend.read(resource.storeKeys)
                    metrics.setRevision(read.revision)
                } catch {
                    let failure = SyncError.read("\(error)".oneLine)
                    log.error("store read failed", ["dest": resource.dest, "error": failure.description])
                    metrics.record(.failed(failure), dest: resource.dest)
                    ok = false
                    continue
                }
            }
            let outcome = await processor.process(resource, read)
            metrics.record(outcome, dest: resource.dest)
            switch outcome {
            case .failed(let error):
                log.error(Self.summary(error), ["dest": resource.dest, "error": error.description.oneLine])
                ok = false
            case .updated(let reload?):
                if !reloads.contains(reload) { reloads.append(reload) }
            default:
                break
            }
        }
        for command in reloads {
            let result = await ShellCommand.run(command)
            metrics.recordReload(succeeded: result.succeeded)
            if result.succeeded {
                log.info("reload_cmd succeeded", ["command": command])
            } else {
                let error = SyncError.reloadFailed(
                    command: command, status: result.status, output: result.output.oneLine)
                log.error("reload_cmd failed", ["command": command, "error": error.description])
                ok = false
            }
        }
        return ok
    }

    static func summary(_ error: SyncError) -> String {
        switch error {
        case .checkFailed: "config check failed"
        case .render, .templateSyntax, .missingTemplate: "template failed"
        case .read: "store read failed"
        case .stage, .install: "cannot write config"
        default: "resource failed"
        }
    }

    /// Re-reads the resources, reporting and skipping broken ones (SIGHUP and each interval).
    func reloadResources() -> [Resource] {
        let (resources, errors) = ResourceLoader.load(configuration, log: log)
        for error in errors { log.error("resource skipped", ["error": error.description.oneLine]) }
        log.info("resources loaded", ["count": "\(resources.count)", "skipped": "\(errors.count)"])
        return resources
    }

    private enum Tick: Sendable {
        case interval
        case signal(SignalEvents.Event)
    }

    private func runEvery(
        _ interval: Duration, _ initial: [Resource], signals: AsyncStream<SignalEvents.Event>
    ) async -> Int32 {
        var resources = initial
        let (events, sink) = AsyncStream<Tick>.makeStream()
        let forward = Task {
            for await signal in signals { sink.yield(.signal(signal)) }
        }
        defer { forward.cancel() }
        var iterator = events.makeAsyncIterator()
        while true {
            _ = await process(resources, reads: resources.map { _ in nil })
            let timer = Task {
                try? await Task.sleep(for: interval)
                if !Task.isCancelled { sink.yield(.interval) }
            }
            let event = await iterator.next()
            timer.cancel()
            switch event {
            case .signal(.terminate(let number)):
                log.info("exiting", ["signal": "\(number)"])
                return 0
            case nil:
                return 0
            case .signal(.reload):
                log.info("SIGHUP: reading resources and templates again")
                resources = reloadResources()
            case .interval:
                // confd reads the resources again every interval.
                resources = reloadResources()
            }
        }
    }
}

extension SyncEngine {
    /// `--check-config`: loads every resource and compiles its template; returns one line per problem.
    package static func check(_ configuration: SyncConfiguration) -> [String] {
        let log = Log(component: "sync", level: .error)
        let (resources, errors) = ResourceLoader.load(configuration, log: log)
        var problems = errors.map(\.description)
        let processor = ResourceProcessor(options: configuration.options, log: log, output: { _ in })
        for resource in resources {
            do {
                _ = try processor.render(resource, SortedKeySnapshot([:]), log: log, compileOnly: true)
            } catch {
                problems.append(error.description)
            }
        }
        return problems
    }
}
