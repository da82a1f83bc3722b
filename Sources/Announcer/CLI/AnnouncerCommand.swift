import KV
import Platform

/// `announcer`: parses the command line, wires check, store and `Announcer` together, maps signals to a stop.
package enum AnnouncerCommand {
    /// Runs the command line; returns the process exit status (0 stopped cleanly, 1 runtime failure, 2 usage).
    package static func main(_ arguments: [String]) async -> Int32 {
        let options: AnnouncerOptions
        do {
            guard let parsed = try AnnouncerOptions.parse(arguments) else {
                printOut(AnnouncerOptions.usage)
                return 0
            }
            options = parsed
            if options.checkOnly {
                printOut("announcer: configuration ok")
                return 0
            }
        } catch {
            printError("announcer: \(error.message)")
            return 2
        }
        // Signals first: a SIGTERM that arrives while connecting must still deregister, not kill us; a SIGHUP
        // (sent out of habit) must not end us either, or the app would drop out of routing with the TTL.
        let signals = SignalEvents()
        defer { signals.cancel() }
        let log = Log(component: "announcer", level: options.logLevel)
        let store: EtcdClient
        do {
            var configuration = EtcdClient.Configuration(endpoints: try EtcdClient.endpoints(from: options.stores))
            // A renewal must not wait longer than an interval on one member; the next one may answer.
            configuration.requestTimeout = min(max(options.interval, .seconds(1)), .seconds(5))
            configuration.connectTimeout = min(configuration.requestTimeout, .seconds(1))
            // Per-call failover warnings would repeat every retry; the announcer logs "store lost" once.
            var clientLog = Log(component: "store-client", level: max(options.logLevel, .error))
            if options.logLevel <= .debug { clientLog.level = options.logLevel }
            store = try EtcdClient(configuration: configuration, log: clientLog)
        } catch {
            printError("announcer: \(error)")
            return 2
        }
        defer { store.close() }

        var registration = Registration.Configuration(ttl: options.ttl, interval: options.interval)
        registration.rise = options.rise
        registration.fall = options.fall
        registration.backoff = Backoff(first: .milliseconds(100), cap: min(options.interval, .seconds(10)))
        registration.seed = UInt64(truncatingIfNeeded: SystemClock().now.nanoseconds) ^ UInt64(Posix.processID)
        let announcer = Announcer(
            configuration: Announcer.Configuration(
                key: options.key, value: options.address.description, registration: registration),
            check: options.check.makeCheck(timeout: options.checkTimeout), store: store, log: log)
        log.info(
            "announcer starting",
            [
                "key": options.key, "value": options.address.description, "check": options.check.description,
                "ttl": "\(options.ttl)s", "interval": options.interval.secondsText,
                "store": options.stores.joined(separator: ","),
            ])
        let watcher = Task {
            for await event in signals.events {
                if case .terminate = event {
                    announcer.terminate()
                    return
                }
                log.info("SIGHUP: nothing to read again; carrying on")
            }
        }
        defer { watcher.cancel() }
        return await announcer.run()
    }
}
