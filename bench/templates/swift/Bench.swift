// Times Switchboard's template engine the way confd-render times Go's: compile once, then render
// repeatedly against one snapshot. Also times each stage `router render` runs once per process:
// loading the key file (JSON parse into pairs, as RenderCommand does), building the snapshot,
// parsing the template and the first render.
//   templates-bench TEMPLATE KV.json SECONDS OUT   (writes the last output to OUT for comparison)
import Foundation
import Formats
import Templates

@main
enum Bench {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count == 5, let seconds = Double(args[3]) else {
            FileHandle.standardError.write(Data("usage: templates-bench TEMPLATE KV.json SECONDS OUT\n".utf8))
            exit(2)
        }
        let text = try String(contentsOfFile: args[1], encoding: .utf8)
        // CPU time of this thread, not wall time: on a shared box other work stretches wall time
        // several fold, and the render is single-threaded.
        let clock = ThreadCPUClock()
        func median(_ runs: Int, _ body: () throws -> Void) rethrows -> Duration {
            var times: [Duration] = []
            for _ in 0..<runs {
                let start = clock.now
                try body()
                times.append(clock.now - start)
            }
            return times.sorted()[runs / 2]
        }
        var pairs: [String: String] = [:]
        let loadTime = try median(21) { pairs = try loadPairs(args[2]) }
        var snapshot = SortedKeySnapshot([:])
        let snapshotTime = median(21) { snapshot = SortedKeySnapshot(pairs) }
        let name = URL(fileURLWithPath: args[1]).lastPathComponent
        var template = try Template(name: name, text: "")
        let parseTime = try median(21) { template = try Template(name: name, text: text) }
        let firstStart = clock.now
        var output = try template.render(snapshot, environment: .process)
        let firstRender = clock.now - firstStart
        var times: [Duration] = []
        let wall = ContinuousClock()
        let deadline = wall.now + .milliseconds(Int(seconds * 1000))
        while times.count < 3 || wall.now < deadline {
            let start = clock.now
            output = try template.render(snapshot, environment: .process)
            times.append(clock.now - start)
        }
        try Data(output.utf8).write(to: URL(fileURLWithPath: args[4]))
        func ns(_ d: Duration) -> Int64 { d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000 }
        let total = times.reduce(Duration.zero, +)
        let sorted = times.sorted()
        print("renders \(times.count)")
        print("median_ns \(ns(sorted[sorted.count / 2]))")
        print("mean_ns \(ns(total) / Int64(times.count))")
        print("best_ns \(ns(sorted[0]))")
        print("bytes \(output.utf8.count)")
        print("load_ns \(ns(loadTime))")
        print("snapshot_ns \(ns(snapshotTime))")
        print("parse_ns \(ns(parseTime))")
        print("first_render_ns \(ns(firstRender))")
    }

    /// What RenderCommand does with the key file: read it, parse it, keep the string members.
    static func loadPairs(_ path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        guard case .object(let members) = try JSONParser.parse([UInt8](data)) else { return [:] }
        var pairs: [String: String] = [:]
        pairs.reserveCapacity(members.count)
        for (key, value) in members {
            if case .string(let s) = value { pairs[key] = s }
        }
        return pairs
    }
}

/// The calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID).
struct ThreadCPUClock {
    var now: Duration {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return .seconds(t.tv_sec) + .nanoseconds(t.tv_nsec)
    }
}
