import KV
import KVTestSupport
import Platform
import TestSupport

/// Opens in-process stores the way every test here needs: a manual clock and logs kept in memory.
/// (KVTestSupport's `StoreFixture` is the other kind: a served store or real etcd behind a client.)
struct LocalStores {
    let clock = ManualClock()
    let sink = MemoryLogSink()

    func configuration(dataDir: String? = nil) -> MemoryStore.Configuration {
        MemoryStore.Configuration(dataDir: dataDir, clock: clock, log: Log(component: "store", sink: sink))
    }

    func open(dataDir: String? = nil, _ adjust: (inout MemoryStore.Configuration) -> Void = { _ in }) throws
        -> MemoryStore
    {
        var configuration = configuration(dataDir: dataDir)
        adjust(&configuration)
        return try MemoryStore.open(configuration)
    }
}
