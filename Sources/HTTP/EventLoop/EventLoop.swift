import Platform
import Synchronization

/// Something registered with an `EventLoop` for a descriptor: a connection or a listener.
///
/// Called only on the loop's thread, so implementations keep their state without locks.
package protocol EventLoopHandler: AnyObject {
    /// The descriptor is ready for what `events` says.
    func handle(_ events: IOEvents)
}

/// One thread running epoll (level-triggered) over non-blocking descriptors, timers and queued work.
///
/// Registered handlers, timers and `readBuffer` belong to the loop thread. `execute`, `schedule` and
/// `stop` are safe from any thread: they queue work and wake the loop through an eventfd.
// @unchecked: the mutable state below the lock is touched only on the loop thread (checked by design:
// every entry point from another thread goes through `pending`, which a Mutex guards).
package final class EventLoop: @unchecked Sendable {
    private struct Pending {
        var tasks: [@Sendable () -> Void] = []
        var wakePending = false
        var accepting = true
    }

    private struct Slot {
        var handler: (any EventLoopHandler)?
        var generation: UInt32 = 0
        var token: UInt64 = 0
    }

    /// Bytes of the shared read buffer each loop owns.
    package static let readBufferSize = 64 * 1024

    /// Position of this loop in its group, for logs.
    package let index: Int
    private let epoll: Epoll
    private let pending = Mutex(Pending())
    private let threadID = Atomic<UInt>(0)

    // Loop-thread state.
    private var slots: [Slot] = []
    private var timers = TimerQueue()
    private var localTasks: [@Sendable () -> Void] = []
    /// Channels that queued bytes during the event being handled; flushed right after it.
    private var deferredFlushes: [SocketChannel] = []
    private var running = true
    /// Monotonic nanoseconds, refreshed after every wait; read it on the loop thread only.
    package private(set) var now: Int64
    /// A scratch buffer handlers read into; valid only during one `handle` call.
    package let readBuffer: UnsafeMutableRawBufferPointer

    /// - Throws: `SystemError` when epoll or the eventfd cannot be created.
    init(index: Int) throws {
        self.index = index
        epoll = try Epoll()
        now = Posix.monotonicNanoseconds()
        readBuffer = .allocate(byteCount: EventLoop.readBufferSize, alignment: 16)
    }

    deinit { readBuffer.deallocate() }

    /// Whether the caller runs on this loop's thread.
    package var inEventLoop: Bool { threadID.load(ordering: .relaxed) == PosixThread.currentID }

    /// Runs `work` on the loop thread soon, in submission order.
    /// - Returns: false when the loop has stopped and `work` will never run, so a caller that handed it a
    ///   continuation must resume that continuation itself.
    @discardableResult
    package func execute(_ work: @escaping @Sendable () -> Void) -> Bool {
        if inEventLoop {
            localTasks.append(work)
            return true
        }
        let (accepted, wake) = pending.withLock { state -> (Bool, Bool) in
            guard state.accepting else { return (false, false) }
            state.tasks.append(work)
            defer { state.wakePending = true }
            return (true, !state.wakePending)
        }
        if wake { epoll.wake() }
        return accepted
    }

    /// Runs `work` on the loop thread after `delay`, unless the returned handle is cancelled first.
    @discardableResult
    package func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void) -> TimerHandle {
        let handle = TimerHandle()
        let deadline = Posix.monotonicNanoseconds() &+ max(0, delay.nanoseconds)
        if inEventLoop {
            timers.push(deadline: deadline, handle: handle, work: work)
        } else {
            execute { self.timers.push(deadline: deadline, handle: handle, work: work) }
        }
        return handle
    }

    /// Watches `fd` for `events` and calls `handler` on readiness; the loop keeps `handler` alive until
    /// `deregister`. Loop thread only.
    /// - Parameter exclusive: `EPOLLEXCLUSIVE`, for a listener shared by several loops.
    /// - Throws: `SystemError` ("epoll_ctl") when the descriptor cannot be watched; nothing is kept.
    package func register(
        _ fd: Int32, events: IOEvents, handler: any EventLoopHandler, exclusive: Bool = false
    ) throws {
        let index = Int(fd)
        if index >= slots.count { slots.append(contentsOf: repeatElement(Slot(), count: index + 64 - slots.count)) }
        slots[index].generation &+= 1
        let token = UInt64(slots[index].generation) << 32 | UInt64(UInt32(bitPattern: fd))
        let code = epoll.add(fd, events: events, token: token, exclusive: exclusive)
        guard code == 0 else { throw SystemError("epoll_ctl", code: code) }
        slots[index].handler = handler
        slots[index].token = token
    }

    /// Changes what a registered descriptor is watched for. Loop thread only.
    package func setInterest(_ fd: Int32, _ events: IOEvents) {
        epoll.modify(fd, events: events, token: slots[Int(fd)].token)
    }

    /// Stops watching `fd` and releases its handler; call before closing `fd`. Loop thread only.
    package func deregister(_ fd: Int32) {
        let index = Int(fd)
        guard index < slots.count, slots[index].handler != nil else { return }
        epoll.remove(fd)
        slots[index].handler = nil
        // A bumped generation makes events already fetched for this descriptor number stale.
        slots[index].generation &+= 1
    }

    /// Asks the loop to finish; queued work submitted before this call still runs.
    func stop() {
        execute { self.running = false }
    }

    /// The loop body; returns after `stop()`.
    func run() {
        threadID.store(PosixThread.currentID, ordering: .relaxed)
        let capacity = 256
        let events = UnsafeMutableBufferPointer<EpollEvent>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while running {
            let timeout = nextTimeout()
            let count = epoll.wait(into: events, timeout: timeout)
            now = Posix.monotonicNanoseconds()
            for i in 0..<count {
                let token = events[i].token
                if token == Epoll.wakeToken {
                    epoll.drainWake()
                    continue
                }
                let index = Int(token & 0xffff_ffff)
                guard index < slots.count, slots[index].token == token, let handler = slots[index].handler else {
                    continue
                }
                handler.handle(events[i].ioEvents)
                if !deferredFlushes.isEmpty { runDeferredFlushes() }
            }
            runDueTimers()
            runQueuedTasks()
            if !deferredFlushes.isEmpty { runDeferredFlushes() }
        }
        pending.withLock { $0.accepting = false }
        runQueuedTasks()
        timers.removeAll()
        slots.removeAll()
    }

    /// Has `channel.flushDeferred()` called once the current event is handled. Loop thread only.
    func flushAfterEvent(_ channel: SocketChannel) {
        deferredFlushes.append(channel)
    }

    private func runDeferredFlushes() {
        // A flush can make a delegate queue more (on another channel); those are appended and run here too.
        var index = 0
        while index < deferredFlushes.count {
            let channel = deferredFlushes[index]
            index += 1
            channel.flushDeferred()
        }
        deferredFlushes.removeAll(keepingCapacity: true)
    }

    private func nextTimeout() -> Int32 {
        if !localTasks.isEmpty { return 0 }
        guard let deadline = timers.nextDeadline else { return -1 }
        let remaining = deadline - Posix.monotonicNanoseconds()
        if remaining <= 0 { return 0 }
        // Round up so a timer never fires early and the loop does not spin on a sub-millisecond rest.
        return Int32(min(Int64(Int32.max), (remaining + 999_999) / 1_000_000))
    }

    private func runDueTimers() {
        while let entry = timers.popDue(now: now) {
            if !entry.handle.isCancelled { entry.work() }
        }
    }

    private func runQueuedTasks() {
        let remote = pending.withLock { state -> [@Sendable () -> Void] in
            state.wakePending = false
            return state.tasks.isEmpty ? [] : exchange(&state.tasks, with: [])
        }
        for task in remote { task() }
        // Work queued by these tasks runs in the same turn, before the loop sleeps again.
        var rounds = 0
        while !localTasks.isEmpty && rounds < 16 {
            let local = exchange(&localTasks, with: [])
            for task in local { task() }
            rounds += 1
        }
    }
}

private func exchange<T>(_ value: inout T, with replacement: T) -> T {
    let old = value
    value = replacement
    return old
}

// MARK: - Driven by a test

extension EventLoop {
    /// A loop that no thread runs, for tests that drive in-memory channels (`SocketChannel(peer:loop:)`):
    /// they call `runPending()` where the loop would go round and `advanceTime(by:)` instead of waiting.
    /// - Throws: `SystemError` when epoll or the eventfd cannot be created.
    package static func manual() throws -> EventLoop {
        try EventLoop(index: -1)
    }

    /// Runs on the calling thread, which becomes the loop's thread, what one turn of the loop runs after
    /// handling events: deferred flushes, timers due at `now`, queued work.
    package func runPending() {
        threadID.store(PosixThread.currentID, ordering: .relaxed)
        if !deferredFlushes.isEmpty { runDeferredFlushes() }
        runDueTimers()
        runQueuedTasks()
        if !deferredFlushes.isEmpty { runDeferredFlushes() }
    }

    /// Moves the loop's clock (`now`) forward by `duration`, as if the loop had waited that long.
    package func advanceTime(by duration: Duration) {
        now += duration.nanoseconds
    }
}
