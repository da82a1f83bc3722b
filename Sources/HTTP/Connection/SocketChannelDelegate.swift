import Platform

/// What a `SocketChannel` reports to its owner; every call comes on the channel's loop thread.
package protocol SocketChannelDelegate: AnyObject {
    /// A connect started with `connect(to:)` finished; `code` is 0 on success, else the `errno`.
    func channelConnected(_ channel: SocketChannel, code: Int32)
    /// Bytes arrived; the pointer is valid only during the call.
    func channelRead(_ channel: SocketChannel, _ bytes: UnsafeRawBufferPointer)
    /// The peer sent FIN: no more bytes will arrive (writing may still work).
    func channelReadEnded(_ channel: SocketChannel)
    /// A read or write failed (reset, broken pipe); the channel is already closed.
    func channelFailed(_ channel: SocketChannel, code: Int32)
    /// The outbound buffer went from above `highWater` to below `lowWater`: a paused producer may resume.
    func channelDrained(_ channel: SocketChannel)
    /// Everything queued is written, as asked by `notifyWhenFlushed()`.
    func channelFlushed(_ channel: SocketChannel)
}

extension SocketChannelDelegate {
    /// Delegates that never call `notifyWhenFlushed()` need not answer it.
    package func channelFlushed(_ channel: SocketChannel) {}
}
