import KV
import KVTestSupport
import Platform
import TestSupport
import Testing

/// Every contract check against a fresh in-memory `MemoryStore`.
@Suite(.timeLimit(.minutes(2)))
struct KVStoreContractTests {
    @Test(arguments: KVContract.checks)
    func memoryStoreKeepsTheContract(_ check: KVContract.Check) async throws {
        let store = try MemoryStore.open(MemoryStore.Configuration(clock: ManualClock()))
        defer { store.close() }
        try await check.run(store, "/contract")
    }

    @Test(arguments: KVContract.checks)
    func durableMemoryStoreKeepsTheContract(_ check: KVContract.Check) async throws {
        let dir = try TemporaryDirectory("kvtests")
        defer { dir.remove() }
        let store = try MemoryStore.open(MemoryStore.Configuration(dataDir: dir.path, clock: ManualClock()))
        defer { store.close() }
        try await check.run(store, "/contract")
    }
}
