import Foundation
import KV
import Platform

/// Measures one store through `EtcdClient`: puts/s with 1 and 16 writers, and put→watch-event latency.
/// Every loop is bounded in count and in time, so a stuck store cannot hang the benchmark.
enum StoreBench {
    static func main(_ arguments: [String]) async -> Int32 {
        if arguments.first == "v2", arguments.count >= 3 {
            let seconds = arguments.count > 3 ? Double(arguments[3]) ?? 3 : 3
            return await V2Bench.main(name: arguments[1], url: arguments[2], seconds: seconds)
        }
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: store-bench [v2] NAME URL [SECONDS]\n".utf8))
            return 2
        }
        let name = arguments[0]
        let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 3 : 3
        do {
            var configuration = EtcdClient.Configuration(endpoints: try EtcdClient.endpoints(from: [arguments[1]]))
            configuration.requestTimeout = .seconds(10)
            let client = try EtcdClient(configuration: configuration, log: Log(component: "bench", level: .error))
            defer { client.close() }
            let single = try await putsPerSecond(client, writers: 1, seconds: seconds, tag: "\(name)-1")
            let sixteen = try await putsPerSecond(client, writers: 16, seconds: seconds, tag: "\(name)-16")
            let latencies = try await watchLatencies(client, samples: 300, seconds: seconds * 2, tag: name)
            // One line of JSON per run, read by bench/store/run.
            print(
                "{\"store\":\"\(name)\",\"puts1\":\(single),\"puts16\":\(sixteen),"
                    + "\"watch_p50_ms\":\(percentile(latencies, 0.5)),\"watch_p99_ms\":\(percentile(latencies, 0.99))}")
            return 0
        } catch {
            FileHandle.standardError.write(Data("store-bench \(name): \(error)\n".utf8))
            return 1
        }
    }

    static func putsPerSecond(_ client: EtcdClient, writers: Int, seconds: Double, tag: String) async throws -> Double {
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int64(seconds * 1000))
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < deadline && count < 1_000_000 {
                        try await client.put("/bench/\(tag)/w\(writer)/\(count % 1000)", "value-\(count)")
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(total) / (ContinuousClock.now - start).seconds
    }

    /// Put one key, wait for its event, repeat: the time between is the notification latency.
    static func watchLatencies(_ client: EtcdClient, samples: Int, seconds: Double, tag: String) async throws
        -> [Double]
    {
        let prefix = "/bench-watch/\(tag)/"
        let from = try await client.put(prefix + "start", "0") + 1
        var events = client.watch(prefix: prefix, from: from).makeAsyncIterator()
        var latencies: [Double] = []
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while latencies.count < samples && ContinuousClock.now < deadline {
            let sent = ContinuousClock.now
            let revision = try await client.put(prefix + "k", "\(latencies.count)")
            while let batch = try await events.next() {
                if batch.events.contains(where: { $0.kv.modRevision == revision }) { break }
            }
            latencies.append((ContinuousClock.now - sent).seconds * 1000)
        }
        return latencies
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
        return (sorted[max(rank, 0)] * 1000).rounded() / 1000
    }
}
