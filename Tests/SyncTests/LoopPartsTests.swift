import Foundation
import Platform
import Sync
import Testing

struct CoalescerTests {
    let start = ContinuousClock.now

    @Test func aLoneChangeIsRenderedAfterTheQuietPeriod() {
        var coalescer = Coalescer(quiet: .milliseconds(2), maximum: .milliseconds(200))
        #expect(coalescer.deadline == nil)
        coalescer.change(at: start)
        #expect(coalescer.deadline == start + .milliseconds(2))
        #expect(!coalescer.isDue(at: start + .milliseconds(1)))
        #expect(coalescer.isDue(at: start + .milliseconds(2)))
    }

    @Test func aStormIsRenderedAtMostOncePerMaximum() {
        var coalescer = Coalescer(quiet: .milliseconds(2), maximum: .milliseconds(200))
        var cycles = 0
        // 200 changes, one a millisecond, then silence; then 200 more after 300 ms: checked every millisecond.
        for ms in 0..<1000 {
            let now = start + .milliseconds(ms)
            if ms < 200 || (500..<700).contains(ms) { coalescer.change(at: now) }
            if coalescer.isDue(at: now) {
                cycles += 1
                coalescer.cycleStarted(at: now)
            }
        }
        #expect(cycles == 2)
    }

    @Test func changesRightAfterACycleWaitForTheMaximumSinceThatCycle() {
        var coalescer = Coalescer(quiet: .milliseconds(2), maximum: .milliseconds(100))
        coalescer.change(at: start)
        coalescer.cycleStarted(at: start + .milliseconds(2))
        coalescer.change(at: start + .milliseconds(10))
        #expect(coalescer.deadline == start + .milliseconds(102))
    }
}

struct UnifiedDiffTests {
    @Test func printsHunksWithThreeLinesOfContextLikeDiffU() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacing("line 2\n", with: "line two\n").replacing("line 9\n", with: "line 9\nline 9b\n")
        #expect(
            UnifiedDiff.make(old: old, new: new, oldName: "a", newName: "b") == """
                --- a
                +++ b
                @@ -1,4 +1,4 @@
                 line 1
                -line 2
                +line two
                 line 3
                 line 4
                @@ -7,4 +7,5 @@
                 line 7
                 line 8
                 line 9
                +line 9b
                 line 10

                """)
        #expect(UnifiedDiff.make(old: "x\n", new: "x\n", oldName: "a", newName: "b") == "")
        #expect(
            UnifiedDiff.make(old: "", new: "new\n", oldName: "a", newName: "b") == "--- a\n+++ b\n@@ -0,0 +1 @@\n+new\n"
        )
    }
}

struct HostPortGuardTests {
    @Test(arguments: [
        ("10.0.0.1:80", true), ("[::1]:8080", true), ("app.internal:443", true),
        ("127.0.0.1:1; } server { listen 127.0.0.1:1", false), ("127.0.0.1:1 max_fails=1 backup", false),
        ("10.0.0.1", false), ("10.0.0.1:0", false), ("10.0.0.1:80\n", false), ("::1:80", false), ("a_b:80", false),
        ("300.1.1.1:80", false), ("", false),
    ])
    func acceptsOnlyAStrictHostAndPort(_ value: String, _ accepted: Bool) {
        #expect(HostPortGuard.isStrict(value) == accepted)
    }
}

struct SyncMetricsTests {
    @Test func exposesCountersPerResourceInPrometheusText() {
        let metrics = SyncMetrics()
        metrics.record(.updated(reload: "r"), dest: "/etc/a.conf")
        metrics.record(
            .failed(.checkFailed(dest: "/etc/a.conf", command: "c", status: "exited 1", output: "")),
            dest: "/etc/a.conf")
        metrics.recordReload(succeeded: true)
        metrics.setRevision(42)
        metrics.setWatch(up: false)
        let text = metrics.text
        #expect(text.contains("switchboard_sync_renders_total{resource=\"/etc/a.conf\"} 1\n"))
        #expect(text.contains("switchboard_sync_failures_total{resource=\"/etc/a.conf\"} 1\n"))
        #expect(text.contains("switchboard_sync_checks_failed_total{resource=\"/etc/a.conf\"} 1\n"))
        #expect(text.contains("switchboard_sync_last_success_timestamp_seconds{resource=\"/etc/a.conf\"} "))
        #expect(text.contains("switchboard_sync_reloads_total 1\n"))
        #expect(text.contains("switchboard_sync_watch_up 0\n"))
        #expect(text.contains("switchboard_sync_store_revision 42\n"))
    }
}
