import Foundation
import HTTP
import KV
import Platform

/// etcd's v2 keys API on one store, through plain HTTP as curl and etcdctl use it: puts/s with 1 and 16
/// writers, and how long a `wait=true` request takes to answer after the put it waits for.
/// Every loop is bounded in count and in time.
enum V2Bench {
    static func main(name: String, url: String, seconds: Double) async -> Int32 {
        do {
            let endpoint = try Endpoint(url: url)
            let client = HTTPClient()
            defer { client.shutdown() }
            let single = try await putsPerSecond(client, endpoint, writers: 1, seconds: seconds, tag: "\(name)-1")
            let sixteen = try await putsPerSecond(client, endpoint, writers: 16, seconds: seconds, tag: "\(name)-16")
            let latencies = try await waitLatencies(client, endpoint, samples: 300, seconds: seconds * 2, tag: name)
            print(
                "{\"store\":\"\(name)\",\"v2puts1\":\(single),\"v2puts16\":\(sixteen),"
                    + "\"v2wait_p50_ms\":\(StoreBench.percentile(latencies, 0.5)),"
                    + "\"v2wait_p99_ms\":\(StoreBench.percentile(latencies, 0.99))}")
            return 0
        } catch {
            FileHandle.standardError.write(Data("store-bench v2 \(name): \(error)\n".utf8))
            return 1
        }
    }

    static func put(_ client: HTTPClient, _ endpoint: Endpoint, _ key: String, _ value: String) async throws
        -> HTTPResponse
    {
        let response = try await client.send(
            HTTPClientRequest(
                method: "PUT", path: "/v2/keys" + key,
                headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded")]),
                body: Array("value=\(value)".utf8)), to: endpoint, timeout: .seconds(10))
        guard response.status == 200 || response.status == 201 else {
            throw KVError.server(
                status: response.status, code: 0, message: String(decoding: response.body, as: UTF8.self))
        }
        return response
    }

    static func putsPerSecond(_ client: HTTPClient, _ endpoint: Endpoint, writers: Int, seconds: Double, tag: String)
        async throws -> Double
    {
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int64(seconds * 1000))
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < deadline && count < 1_000_000 {
                        _ = try await put(
                            client, endpoint, "/bench/\(tag)/w\(writer)/\(count % 1000)", "value-\(count)")
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(total) / (ContinuousClock.now - start).seconds
    }

    /// Ask to wait for the next index, put, and time the put's start to the wait's answer. The wait names
    /// its index, so it sees the put even when it reaches the store after it.
    static func waitLatencies(_ client: HTTPClient, _ endpoint: Endpoint, samples: Int, seconds: Double, tag: String)
        async throws -> [Double]
    {
        let key = "/bench-wait/\(tag)"
        let first = try await put(client, endpoint, key, "0")
        var index = Int64(first.headers["X-Etcd-Index"] ?? "") ?? 0
        var latencies: [Double] = []
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while latencies.count < samples && ContinuousClock.now < deadline {
            let waitIndex = index + 1
            let waiter = Task {
                try await client.send(
                    HTTPClientRequest(path: "/v2/keys\(key)?wait=true&waitIndex=\(waitIndex)"), to: endpoint,
                    timeout: .seconds(10))
            }
            let sent = ContinuousClock.now
            let answer = try await put(client, endpoint, key, "\(latencies.count)")
            let woke = try await waiter.value
            latencies.append((ContinuousClock.now - sent).seconds * 1000)
            guard woke.status == 200 else { throw KVError.protocolViolation("wait answered \(woke.status)") }
            index = Int64(answer.headers["X-Etcd-Index"] ?? "") ?? waitIndex
        }
        return latencies
    }
}
