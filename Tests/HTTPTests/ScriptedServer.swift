import Glibc
import Platform
import Synchronization
import TestSupport

/// A loopback server on blocking sockets whose every connection runs `script` on the server's thread,
/// for peers that misbehave in exact ways (close after N requests, never end a body, ...).
final class ScriptedServer: Sendable {
    let port: Int
    private let listener: Int32
    private let thread: PosixThread
    /// Connections accepted so far.
    let accepted = Atomic<Int>(0)

    init(_ script: @escaping @Sendable (_ fd: Int32, _ index: Int) -> Void) throws {
        let (fd, port) = try LoopbackListener.open()
        self.port = port
        listener = fd
        let box = AcceptCount()
        thread = try PosixThread(name: "scripted") {
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                let index = box.value.add(1, ordering: .relaxed).oldValue
                script(client, index)
                close(client)
            }
        }
        count = box
    }

    private let count: AcceptCount
    var connections: Int { count.value.load(ordering: .relaxed) }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        thread.join()
    }

    /// Reads until the end of one request head (requests here have no body).
    static func readHead(_ fd: Int32) -> String? {
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !head.suffix(4).elementsEqual([13, 10, 13, 10]) {
            guard recv(fd, &byte, 1, 0) == 1 else { return nil }
            head.append(byte)
        }
        return String(decoding: head, as: UTF8.self)
    }

    static func send(_ fd: Int32, _ text: String) { send(fd, Array(text.utf8)) }

    static func send(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            offset += n
        }
    }
}

final class AcceptCount: Sendable {
    let value = Atomic<Int>(0)
}
