// Times Switchboard's template engine the way confd-render times Go's: compile once, then
// render repeatedly against one snapshot; also times building the snapshot.
//   bench TEMPLATE KV.json SECONDS OUT   (writes the last output to OUT for comparison)
import Foundation

@main
enum Bench {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count == 5, let seconds = Double(args[3]) else {
            FileHandle.standardError.write(Data("usage: bench TEMPLATE KV.json SECONDS OUT\n".utf8))
            exit(2)
        }
        let text = try String(contentsOfFile: args[1], encoding: .utf8)
        let pairs = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: args[2]))) as? [String: String] ?? [:]
        let clock = ContinuousClock()
        let snapshotStart = clock.now
        let snapshot = SortedKeySnapshot(pairs)
        let snapshotTime = clock.now - snapshotStart
        let template = try Template(name: URL(fileURLWithPath: args[1]).lastPathComponent, text: text)
        var times: [Duration] = []
        var output = ""
        let deadline = clock.now + .milliseconds(Int(seconds * 1000))
        while times.count < 3 || clock.now < deadline {
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
        print("best_ns \(ns(times.min()!))")
        print("bytes \(output.utf8.count)")
        print("snapshot_ns \(ns(snapshotTime))")
    }
}
