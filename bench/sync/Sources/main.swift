import Foundation
import Platform
import Sync
import Templates

/// Time to render, compare and write one resource per change with many keys: the shipped nginx template
/// over APPS × INSTANCES keys, one value changed per round, `ResourceProcessor.process` timed end to end
/// (key mapping, snapshot, render, stage file, compare, rename).
///   sync-bench TEMPLATE_DIR [APPS=1000] [INSTANCES=10] [ROUNDS=200]
@main
enum SyncBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            Posix.writeStandardError("usage: sync-bench TEMPLATE_DIR [APPS] [INSTANCES] [ROUNDS]\n")
            Posix.exit(2)
        }
        let templates = arguments[1]
        let apps = arguments.count > 2 ? Int(arguments[2]) ?? 1000 : 1000
        let instances = arguments.count > 3 ? Int(arguments[3]) ?? 10 : 10
        let rounds = arguments.count > 4 ? Int(arguments[4]) ?? 200 : 200
        let out = NSTemporaryDirectory() + "sync-bench-\(Posix.processID)"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }

        var pairs: [String: String] = [:]
        for app in 0..<apps {
            for n in 0..<instances {
                let name = String(format: "app%04d", app)
                pairs["/services/web/\(name)/\(name)@\(n)"] = "10.\(app / 250).\(app % 250).\(n + 1):8080"
            }
        }
        let resource = Resource(
            file: "bench.toml", source: templates + "/nginx.tmpl", dest: out + "/apps.conf", keys: ["/services/web"],
            mode: "0644")
        let processor = ResourceProcessor(
            options: ProcessOptions(), log: Log(component: "bench", level: .error), output: { _ in })
        _ = await processor.process(resource, KeyRead(pairs: pairs, revision: 1))  // first write, compile
        let clock = ContinuousClock()
        var samples: [Duration] = []
        for round in 0..<rounds {
            let app = String(format: "app%04d", round % apps)
            pairs["/services/web/\(app)/\(app)@0"] = "10.200.\(round % 250).\(round / 250 % 250 + 1):8080"
            let start = clock.now
            let outcome = await processor.process(resource, KeyRead(pairs: pairs, revision: Int64(round + 2)))
            samples.append(clock.now - start)
            guard case .updated = outcome else {
                Posix.writeStandardError("round \(round): \(outcome)\n")
                Posix.exit(1)
            }
        }
        samples.sort()
        // Where the time goes, measured apart: key mapping + snapshot, render, the rest is stage/compare/rename.
        let template = try Template(
            guardedName: "nginx.tmpl",
            text: String(contentsOfFile: templates + "/nginx.tmpl", encoding: .utf8))
        var snapshotTimes: [Duration] = []
        var renderTimes: [Duration] = []
        for _ in 0..<20 {
            let t0 = clock.now
            var mapped: [String: String] = [:]
            mapped.reserveCapacity(pairs.count)
            for (key, value) in pairs { mapped[resource.templateKey(key)] = value }
            let snapshot = SortedKeySnapshot(mapped)
            let t1 = clock.now
            _ = try template.renderGuarded(snapshot)
            let t2 = clock.now
            snapshotTimes.append(t1 - t0)
            renderTimes.append(t2 - t1)
        }
        snapshotTimes.sort()
        renderTimes.sort()
        let size = (try? FileManager.default.attributesOfItem(atPath: resource.dest)[.size] as? NSNumber)?.intValue ?? 0
        func ms(_ d: Duration) -> String {
            String(format: "%.2f", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000)
        }
        print("keys \(apps * instances)")
        print("bytes \(size)")
        print("p50_ms \(ms(samples[samples.count / 2]))")
        print("p99_ms \(ms(samples[min(samples.count - 1, samples.count * 99 / 100)]))")
        print("snapshot_p50_ms \(ms(snapshotTimes[10]))")
        print("render_p50_ms \(ms(renderTimes[10]))")
    }
}
