import CSystem
import Glibc

/// A joinable thread; event loops need `join` (Foundation's `Thread` has none).
package final class PosixThread: Sendable {
    private let handle: pthread_t

    /// Starts `body` on a new thread named `name` (shown by `top -H`, at most 15 bytes).
    /// - Throws: `SystemError` ("pthread_create").
    package init(name: String, _ body: @escaping @Sendable () -> Void) throws {
        let box = Unmanaged.passRetained(ThreadBody(name: name, body: body))
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { raw in
                let body = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
                _ = pthread_setname_np(pthread_self(), String(body.name.prefix(15)))
                body.body()
                return nil
            }, box.toOpaque())
        guard result == 0 else {
            box.release()
            throw SystemError("pthread_create", code: result)
        }
        handle = thread
    }

    /// Waits for the thread to end.
    package func join() {
        _ = pthread_join(handle, nil)
    }

    /// Lets the thread free its resources when it ends, for threads nobody joins; do not `join` afterwards.
    package func detach() {
        _ = pthread_detach(handle)
    }

    /// Whether the calling thread is this one.
    package var isCurrent: Bool { pthread_equal(handle, pthread_self()) != 0 }

    /// An identifier of the calling thread, comparable with `==`.
    package static var currentID: UInt { UInt(pthread_self()) }
}

private final class ThreadBody: Sendable {
    let name: String
    let body: @Sendable () -> Void
    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}
