import Formats
import KV
import Platform
import Testing

/// Mutated requests must either decode or throw: never crash, hang or overflow the stack.
struct GatewayFuzzTests {
    /// A small deterministic generator, so a failure reproduces with the same seed.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seeds: [String] = [
        #"{"key":"L2E=","range_end":"L2I=","limit":"2","revision":"3","keys_only":true,"sort_order":"DESCEND"}"#,
        #"{"key":"L2E=","value":"MQ==","lease":"7","prev_kv":true,"ignore_value":false}"#,
        #"{"compare":[{"key":"L2E=","target":"MOD","result":"LESS","mod_revision":"5"}],"success":[{"request_put":{"key":"L2E=","value":"Mg=="}},{"request_txn":{"success":[{"request_delete_range":{"key":"L2E="}}]}}],"failure":[{"request_range":{"key":"L2E="}}]}"#,
        #"{"create_request":{"key":"L2E=","range_end":"AA==","start_revision":"9","prev_kv":true}}"#,
        #"{"TTL":"5","ID":"42"}"#,
    ]

    static let alphabet = Array(#"{}[]":,\0123456789-+.eEtruefalsn /=AZaz"#.utf8) + [0, 0x7f, 0xc3, 0xff]

    @Test(arguments: 0..<Self.seeds.count)
    func mutatedRequestsDecodeOrThrowButNeverCrash(_ seedIndex: Int) {
        var random = SplitMix64(state: UInt64(seedIndex) &+ 0x5EED)
        let seed = Array(Self.seeds[seedIndex].utf8)
        var decoded = 0
        var rejected = 0
        for _ in 0..<4000 {
            var bytes = seed
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let position = Int.random(in: 0...bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0 where position < bytes.count: bytes.remove(at: position)
                case 1: bytes.insert(Self.alphabet.randomElement(using: &random) ?? 0, at: position)
                case 2 where position < bytes.count: bytes[position] = Self.alphabet.randomElement(using: &random) ?? 0
                default: bytes = Array(bytes.prefix(position))
                }
            }
            guard let json = try? JSONParser.parse(bytes) else {
                rejected += 1
                continue
            }
            let attempts: [() throws -> Void] = [
                { _ = try GatewayRequests.decodeRange(json) }, { _ = try GatewayRequests.decodePut(json) },
                { _ = try GatewayRequests.decodeTxn(json) }, { _ = try GatewayLeaseWatch.decodeWatch(json) },
                { _ = try GatewayLeaseWatch.decodeGrant(json) },
            ]
            for attempt in attempts {
                do {
                    try attempt()
                    decoded += 1
                } catch is GatewayError {
                    rejected += 1
                } catch {
                    Issue.record("a decoder threw something other than GatewayError: \(error)")
                }
            }
        }
        // Both outcomes happen, so the mutations neither always break nor never touch the input.
        #expect(decoded > 0)
        #expect(rejected > 0)
    }
}
