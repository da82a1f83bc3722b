import HTTP
import Platform
import Synchronization
import Testing

struct EventLoopTests {
    @Test func executeRunsWorkOnTheLoopThread() async throws {
        let group = try EventLoopGroup(threads: 2)
        defer { group.shutdown() }
        let loop = group.next()
        let ranOnLoop = await withCheckedContinuation { continuation in
            loop.execute { continuation.resume(returning: loop.inEventLoop) }
        }
        #expect(ranOnLoop)
        #expect(!loop.inEventLoop)
    }

    @Test func timersFireInDeadlineOrderAndCancelledOnesNever() async throws {
        let group = try EventLoopGroup(threads: 1)
        defer { group.shutdown() }
        let loop = group.next()
        let fired = Mutex<[Int]>([])
        let order = await withCheckedContinuation { (continuation: CheckedContinuation<[Int], Never>) in
            let cancelled = loop.schedule(after: .milliseconds(1)) { fired.withLock { $0.append(99) } }
            cancelled.cancel()
            loop.schedule(after: .milliseconds(20)) {
                fired.withLock { $0.append(2) }
                continuation.resume(returning: fired.withLock { $0 })
            }
            loop.schedule(after: .milliseconds(2)) { fired.withLock { $0.append(1) } }
        }
        #expect(order == [1, 2])
    }

    @Test func shutdownJoinsThreadsAndIsIdempotent() throws {
        let group = try EventLoopGroup(threads: 2)
        group.shutdown()
        group.shutdown()
    }
}
