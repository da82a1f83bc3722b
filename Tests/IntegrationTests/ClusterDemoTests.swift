import Foundation
import TestSupport
import Testing

/// scripts/cluster-demo run for real (three etcd members, nginx via `router sync`, two built-in proxies,
/// two announced instances, haproxy), its progress lines asserted step by step.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct ClusterDemoTests {
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    static func isListening(_ host: String, _ port: Int) -> Bool { (try? RawConnection(port: port, host: host)) != nil }

    @Test func theDemoRoutesEverywhereAndHealsFromEachOfItsFourFaults() async throws {
        let directory = try TemporaryDirectory("cluster-demo")
        defer { directory.remove() }
        var environment = ProcessInfo.processInfo.environment
        environment["ROUTER"] = BuiltProducts.path("router")
        environment["ANNOUNCER"] = BuiltProducts.path("announcer")
        environment["DEMO_TIMEOUT"] = "240"
        let demo = try ChildProcess(
            "/bin/bash", [Self.repositoryRoot + "/scripts/cluster-demo"], logPath: directory.file("demo.log"),
            environment: environment)
        defer { demo.stop(grace: .seconds(30)) }
        // Waits without holding a thread of the shared pool for the demo's half minute (2 cores: other suites
        // would starve), then collects the status.
        _ = await eventually(timeout: .seconds(300), every: .milliseconds(250)) { !demo.isRunning }
        let status = demo.waitForExit(timeout: .seconds(5))
        let lines = demo.output.split(separator: "\n").map(String.init)
        #expect(status == 0, "\(demo.output)")
        #expect(lines.filter { $0.hasPrefix("FAIL") } == [])

        // Routing through every node and through the load balancer, before the faults.
        let ready = try #require(lines.firstIndex(of: "load balancer: http://127.0.0.10:28000"), "\(demo.output)")
        #expect(lines[ready + 1] == "Host: example-app.demo.test")
        for through in ["n1 (127.0.0.11:28080)", "n2 (127.0.0.12:28080)", "n3 (127.0.0.13:28080)", "the load balancer"]
        {
            let line = lines[..<ready].first { $0.hasPrefix("  through \(through): ") }
            #expect(line?.hasSuffix(" of 20") == true, "no both-instances line through \(through)")
        }

        // Each fault is announced, then recovered from, in order.
        let expectedFaults = [
            "fault: kill example-app@1 (SIGKILL, on n2)",
            "fault: kill etcd member n1 (SIGKILL), then restart example-app@1",
            "fault: kill the router on n3 (SIGKILL)",
            "fault: restart everything (every process stopped, then started again)",
        ]
        let expectedRecoveries = [
            "recovered: example-app@1 gone; 30 requests in a row answered by example-app@2 after ",
            "recovered: etcd n1 down, routing never stopped, example-app@1 re-announced through n2/n3 and served by every node after ",
            "recovered: n3's router down; the balancer routes around it (60 requests in a row answered) after ",
            "recovered: everything restarted; every node and the balancer serve both instances after ",
        ]
        let events = lines.filter { $0.hasPrefix("fault: ") || $0.hasPrefix("recovered: ") }
        #expect(events.count == 8, "\(events)")
        for (index, fault) in expectedFaults.enumerated() where events.count == 8 {
            #expect(events[2 * index] == fault)
            #expect(events[2 * index + 1].hasPrefix(expectedRecoveries[index]), "\(events[2 * index + 1])")
        }

        // It cleans up and says how it went.
        let teardown = lines.firstIndex { $0.hasPrefix("teardown: ") }
        #expect(teardown != nil)
        #expect(lines.last?.hasPrefix("summary: 4 faults, 4 recovered, 0 failed, ") == true, "\(lines.last ?? "")")
        // Nothing it started is still there: every address it served is free again.
        for host in ["127.0.0.11", "127.0.0.12", "127.0.0.13"] {
            for port in [23790, 23800, 28080] { #expect(!Self.isListening(host, port), "\(host):\(port)") }
        }
        #expect(!Self.isListening("127.0.0.10", 28000))
        #expect(!Self.isListening("127.0.0.12", 23001))
        #expect(!Self.isListening("127.0.0.13", 23002))
    }
}
