import Platform
import Synchronization
import Testing

/// The ordered group behind `router store` and `router up`: parts stop in reverse order, exactly once.
struct LifecycleTests {
    final class Journal: Sendable {
        private let lines = Mutex<[String]>([])
        func add(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    struct Refused: Error {}

    @Test func partsStopInReverseOrderOfStartWhenAPartFails() async throws {
        let lifecycle = Lifecycle(log: Log(component: "test", level: .error), terminate: [], hangup: [])
        defer { lifecycle.close() }
        let journal = Journal()
        for name in ["store", "sync", "nginx"] {
            _ = try await lifecycle.start(name, { journal.add("start \(name)") }, stop: { journal.add("stop \(name)") })
        }
        lifecycle.fail("nginx", reason: "exited with status 1")
        #expect(await lifecycle.run() == .failed(part: "nginx", reason: "exited with status 1"))
        #expect(journal.all == ["start store", "start sync", "start nginx", "stop nginx", "stop sync", "stop store"])
    }

    @Test func aPartThatFailsToStartStopsThoseAlreadyStartedAndRethrows() async throws {
        let lifecycle = Lifecycle(log: Log(component: "test", level: .error), terminate: [], hangup: [])
        defer { lifecycle.close() }
        let journal = Journal()
        _ = try await lifecycle.start("store", { journal.add("start store") }, stop: { journal.add("stop store") })
        await #expect(throws: Refused.self) {
            try await lifecycle.start("proxy", { () throws -> Int in throw Refused() }, stop: { _ in journal.add("x") })
        }
        #expect(journal.all == ["start store", "stop store"])
        await lifecycle.stopAll()
        #expect(journal.all == ["start store", "stop store"])
    }

    @Test func theEndingNamesTheSignalOrThePart() {
        #expect(Lifecycle.Ending.signal(Posix.SIGINT).description == "SIGINT")
        #expect(Lifecycle.Ending.signal(Posix.SIGTERM).description == "SIGTERM")
        #expect(Lifecycle.Ending.signal(Posix.SIGQUIT).description == "SIGQUIT")
        #expect(Lifecycle.Ending.failed(part: "nginx", reason: "exited 1").description == "nginx failed: exited 1")
        #expect(Lifecycle.Ending.finished(part: "sync", status: 1).description == "sync finished with status 1")
    }

    @Test func aPartThatFinishesItsWorkEndsTheGroupWithItsStatusAndStopsTheRest() async throws {
        let lifecycle = Lifecycle(log: Log(component: "test", level: .error), terminate: [], hangup: [])
        defer { lifecycle.close() }
        let journal = Journal()
        for name in ["metrics", "sync"] {
            _ = try await lifecycle.start(name, { journal.add("start \(name)") }, stop: { journal.add("stop \(name)") })
        }
        lifecycle.finish("sync", status: 1)
        #expect(await lifecycle.run() == .finished(part: "sync", status: 1))
        #expect(journal.all == ["start metrics", "start sync", "stop sync", "stop metrics"])
    }
}
