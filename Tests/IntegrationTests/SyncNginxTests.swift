import Foundation
import KV
import KVTestSupport
import Platform
import TestSupport
import Testing

/// `router sync --watch` driving real nginx through the shipped template, against the embedded store
/// and, once, real etcd: routing follows the store, a bad value never reaches nginx, an outage keeps
/// nginx serving, a storm of changes gives a handful of reloads.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct SyncNginxTests {
    @Test(arguments: StoreUnderTest.allCases.filter(\.isAvailable))
    func nginxFollowsTheStoreThroughRouterSync(_ target: StoreUnderTest) async throws {
        let h = try await SyncNginxHarness(target)
        defer { h.stop() }
        let one = try h.startInstance("app@1")
        let two = try h.startInstance("app@2")
        try await h.client.put("/services/web/app/app@1", one)
        try await h.client.put("/services/web/app/app@2", two)
        try h.startSync()

        // Two instances registered: both are reached.
        #expect(await eventually { h.answers("app") == ["app@1", "app@2"] }, "\(h.syncLog)")

        // One deleted: only the other answers.
        try await h.client.delete("/services/web/app/app@2")
        #expect(await eventually { h.answers("app") == ["app@1"] }, "\(h.syncLog)")

        // A second app: both route.
        let blog = try h.startInstance("blog@1")
        try await h.client.put("/services/web/blog/blog@1", blog)
        #expect(await eventually { h.get("blog") == "blog@1" }, "\(h.syncLog)")
        #expect(h.answers("app") == ["app@1"])

        // A value nginx -t refuses (passes the guard, but the host does not resolve): dest unchanged,
        // nginx serving, the failure logged.
        let before = try String(contentsOfFile: h.dest, encoding: .utf8)
        try await h.client.put("/services/web/app/app@9", "no-such-host.invalid:80")
        #expect(await eventually { h.syncLog.contains("msg=\"config check failed\"") }, "\(h.syncLog)")
        #expect(try String(contentsOfFile: h.dest, encoding: .utf8) == before)
        #expect(h.answers("app") == ["app@1"])
        try await h.client.delete("/services/web/app/app@9")

        // An injection value: skipped and logged with its key; the rest renders.
        try await h.client.put("/services/web/app/app@7", "127.0.0.1:1; } server { listen 127.0.0.1:1")
        try await h.client.put("/services/web/app/app@8", "127.0.0.1:1 max_fails=1 backup")
        let three = try h.startInstance("app@3")
        try await h.client.put("/services/web/app/app@3", three)
        #expect(await eventually { h.answers("app") == ["app@1", "app@3"] }, "\(h.syncLog)")
        let config = try String(contentsOfFile: h.dest, encoding: .utf8)
        #expect(
            !config.contains("listen 127.0.0.1:1;") && !config.contains("backup") && !config.contains(" 127.0.0.1:1;"))
        #expect(h.syncLog.contains("key=/services/web/app/app@7"))
        #expect(h.syncLog.contains("key=/services/web/app/app@8"))
        try await h.client.delete("/services/web/app/app@7")
        try await h.client.delete("/services/web/app/app@8")

        // The store stops: nginx keeps serving and sync reports the outage; it comes back: sync catches up.
        h.stopStore()
        #expect(
            await eventually { h.syncLog.contains("store unreachable, keeping the last good config") }, "\(h.syncLog)")
        #expect(h.answers("app") == ["app@1", "app@3"])
        try await h.restartStore()
        try await h.client.delete("/services/web/app/app@3")
        #expect(await eventually(timeout: .seconds(30)) { h.answers("app") == ["app@1"] }, "\(h.syncLog)")
        #expect(await eventually { h.syncLog.contains("store reachable again, catching up") }, "\(h.syncLog)")

        // 200 changes in about a second: a handful of reloads, the final config correct.
        let reloadsBefore = h.reloads
        let clock = ContinuousClock()
        let start = clock.now
        for i in 0..<200 {
            try await h.client.put("/services/web/storm/storm@\(i)", "127.0.0.1:\(20_000 + i)")
            // Spread over about a second (bounded: a slow store only makes it longer, never more changes).
            let due = start + .milliseconds(5 * (i + 1))
            if clock.now < due { try await Task.sleep(until: due, clock: clock) }
        }
        // A loaded machine stretches the storm; the coalescer allows one cycle per --wait MAX (200 ms).
        let stormSeconds = Double((clock.now - start).components.seconds) + 1
        #expect(
            await eventually(timeout: .seconds(30)) {
                let text = (try? String(contentsOfFile: h.dest, encoding: .utf8)) ?? ""
                return (0..<200).allSatisfy { text.contains("server 127.0.0.1:\(20_000 + $0);") }
            }, "\(h.syncLog)")
        #expect(await eventually { h.reloads > reloadsBefore })
        let stormReloads = h.reloads - reloadsBefore
        #expect(
            stormReloads <= Int(stormSeconds * 5) + 3,
            "\(stormReloads) reloads for 200 changes over about \(stormSeconds) s")
        #expect(h.answers("app") == ["app@1"])

        // Metrics tell the story: reloads done, a check refused, the watch up, the revision seen.
        let metrics = h.metrics()
        #expect(metrics.hasPrefix("HTTP/1.1 200"))
        #expect(metrics.contains("switchboard_sync_watch_up 1\n"))
        #expect(metrics.contains("switchboard_sync_checks_failed_total{resource=\"\(h.dest)\"} 1\n"))
        #expect(!metrics.contains("switchboard_sync_reloads_total 0\n"))
        #expect(!metrics.contains("switchboard_sync_store_revision 0\n"))

        // SIGTERM: exits 0.
        h.sync.withLock { $0 }?.signal(Posix.SIGTERM)
        #expect(h.sync.withLock { $0 }?.waitForExit(timeout: .seconds(10)) == 0)
    }
}
