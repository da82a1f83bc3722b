import Platform
import Synchronization

/// A timer scheduled on an `EventLoop`; `cancel()` from any thread stops it if it has not run yet.
package final class TimerHandle: Sendable {
    private let cancelled = Atomic<Bool>(false)

    init() {}

    /// Stops the timer; harmless after it ran or when called twice.
    package func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// Whether `cancel()` was called.
    package var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
}

/// A binary min-heap of timers ordered by deadline, then by scheduling order; owned by one loop thread.
///
/// Cancelled timers stay in the heap until their deadline (lazy deletion): cancelling is then one atomic
/// store, which matters because nearly every request timeout is cancelled.
struct TimerQueue {
    struct Entry {
        var deadline: Int64
        var sequence: UInt64
        var handle: TimerHandle
        var work: @Sendable () -> Void

        func runsBefore(_ other: Entry) -> Bool {
            deadline < other.deadline || (deadline == other.deadline && sequence < other.sequence)
        }
    }

    private var heap: [Entry] = []
    private var sequence: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var nextDeadline: Int64? { heap.first?.deadline }

    mutating func push(deadline: Int64, handle: TimerHandle, work: @escaping @Sendable () -> Void) {
        sequence &+= 1
        heap.append(Entry(deadline: deadline, sequence: sequence, handle: handle, work: work))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].runsBefore(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest timer if it is due at `now`.
    mutating func popDue(now: Int64) -> Entry? {
        guard let first = heap.first, first.deadline <= now else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].runsBefore(heap[smallest]) { smallest = left }
            if right < heap.count && heap[right].runsBefore(heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }

    /// Drops every timer (the loop is stopping).
    mutating func removeAll() { heap.removeAll() }
}
