import Platform
import Synchronization

/// What one gateway request may cost the store: the store is a trust boundary (DESIGN rule 5), so no single
/// client can make it build an unbounded answer or queue unbounded work.
package struct GatewayLimits: Sendable {
    /// Largest key + value a write may carry (etcd's `--max-request-bytes` default, 1.5 MiB).
    package var maxRequestBytes = 1_572_864
    /// Largest answer, estimated in encoded bytes before it is built; a bigger one is refused with
    /// `ResourceExhausted` so the client narrows the range or pages with `limit`.
    package var maxResponseBytes = 64 * 1024 * 1024
    /// Requests being served at once (watch streams are bounded by the HTTP server's connection cap);
    /// one more is refused at once with etcd's `etcdserver: too many requests`.
    package var maxInFlight = 4096
    /// Lease grants per second, over v3 and v2 (each v2 TTL is a lease), with bursts up to `leaseGrantBurst`.
    package var leaseGrantsPerSecond = 2000
    package var leaseGrantBurst = 4000
    /// Live leases at most; a grant beyond is refused until some expire.
    package var maxLeases = 200_000

    package init() {}

    /// The answer to a request over `maxInFlight`.
    static let tooManyRequests = GatewayError(.resourceExhausted, "etcdserver: too many requests")

    /// The answer to a range or txn whose answer would pass `maxResponseBytes`.
    func responseTooLarge(_ bytes: Int) -> GatewayError {
        GatewayError(
            .resourceExhausted,
            "etcdserver: response of about \(bytes) bytes exceeds the limit of \(maxResponseBytes) bytes; "
                + "read fewer keys (limit, keys_only, count_only or a narrower range)")
    }
}

/// Counts the gateway's requests in flight across every event loop.
final class InFlightCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// Takes a slot; false (and nothing taken) when `limit` are already in use.
    func enter(limit: Int) -> Bool {
        let now = count.add(1, ordering: .relaxed).newValue
        if now > limit {
            count.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func leave() { count.subtract(1, ordering: .relaxed) }

    var current: Int { count.load(ordering: .relaxed) }
}

/// Encoded size of answers, estimated from the data before any JSON is built.
enum ResponseSize {
    /// base64 (4/3) of key and value plus a fixed allowance for field names and revisions.
    static func of(_ result: RangeResult) -> Int {
        result.kvs.reduce(0) { $0 + of($1) }
    }

    static func of(_ kv: KeyValue) -> Int { (kv.key.count + kv.value.count) * 4 / 3 + 160 }

    static func of(_ result: TxnResult) -> Int {
        result.responses.reduce(0) { total, response in
            switch response {
            case .range(let r): total + of(r)
            case .put(let p): total + (p.prevKV.map(of) ?? 0)
            case .delete(let d): total + d.prevKVs.reduce(0) { $0 + of($1) }
            case .txn(let t): total + of(t)
            }
        }
    }
}

/// A token bucket over lease grants (v3 grants, v2 TTLs and lock sessions alike), plus a cap on live leases:
/// a client that grants leases in a loop cannot grow the lease table without bound.
final class LeaseGrantLimiter: Sendable {
    private let rate: Double
    private let burst: Double
    private let clock: any MonotonicClock
    private let bucket: Mutex<(tokens: Double, last: Duration)>

    init(perSecond: Int, burst: Int, clock: any MonotonicClock) {
        self.rate = Double(max(1, perSecond))
        self.burst = Double(max(1, burst))
        self.clock = clock
        bucket = Mutex((Double(max(1, burst)), clock.now))
    }

    /// Takes one token; false when the bucket is empty.
    func admit() -> Bool {
        let now = clock.now
        return bucket.withLock { bucket in
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.last).seconds * rate)
            bucket.last = now
            guard bucket.tokens >= 1 else { return false }
            bucket.tokens -= 1
            return true
        }
    }
}
