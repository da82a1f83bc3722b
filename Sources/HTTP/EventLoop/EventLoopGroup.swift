import Platform
import Synchronization

/// A fixed set of `EventLoop`s, each on its own thread; `next()` hands them out round-robin.
package final class EventLoopGroup: Sendable {
    /// The loops, in creation order.
    package let loops: [EventLoop]
    private let threads: Mutex<[PosixThread]>
    private let counter = Atomic<Int>(0)

    /// Starts `threads` loops (at least one), named `name-0`, `name-1`, ...
    /// - Throws: `SystemError` when epoll or a thread cannot be created; loops already started are stopped.
    package init(threads count: Int, name: String = "loop") throws {
        var loops: [EventLoop] = []
        var threads: [PosixThread] = []
        do {
            for index in 0..<max(1, count) {
                let loop = try EventLoop(index: index)
                loops.append(loop)
                threads.append(try PosixThread(name: "\(name)-\(index)") { loop.run() })
            }
        } catch {
            for loop in loops { loop.stop() }
            for thread in threads { thread.join() }
            throw error
        }
        self.loops = loops
        self.threads = Mutex(threads)
    }

    /// The next loop in round-robin order.
    package func next() -> EventLoop {
        let index = counter.add(1, ordering: .relaxed).oldValue
        return loops[index % loops.count]
    }

    /// Whether the caller runs on one of this group's loop threads.
    package var inEventLoop: Bool { loops.contains { $0.inEventLoop } }

    /// Stops every loop after the work already queued on it and joins the threads; idempotent.
    ///
    /// Called from one of the group's own loops it stops them without joining, since a thread cannot
    /// join itself.
    package func shutdown() {
        let threads = self.threads.withLock { threads in
            defer { threads = [] }
            return threads
        }
        guard !threads.isEmpty else { return }
        for loop in loops { loop.stop() }
        guard !inEventLoop else { return }
        for thread in threads { thread.join() }
    }
}
