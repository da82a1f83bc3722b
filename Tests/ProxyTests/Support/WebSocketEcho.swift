import Glibc
import Platform
import TestSupport

/// A minimal websocket echo server on a blocking socket and its own thread: answers one upgrade with
/// 101, then echoes every (small, masked) client frame back as an unmasked frame until the client closes.
final class WebSocketEcho: Sendable {
    let port: Int
    private let listener: Int32
    private let thread: PosixThread

    init() throws {
        let (fd, port) = try LoopbackListener.open()
        self.port = port
        listener = fd
        thread = try PosixThread(name: "ws-echo") { WebSocketEcho.serve(fd) }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        thread.join()
    }

    private static func serve(_ listener: Int32) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            var head: [UInt8] = []
            var byte: UInt8 = 0
            while !head.suffix(4).elementsEqual([13, 10, 13, 10]) {
                guard recv(client, &byte, 1, 0) == 1 else { return }
                head.append(byte)
            }
            let text = String(decoding: head, as: UTF8.self).lowercased()
            guard text.contains("upgrade: websocket"), text.contains("connection: upgrade") else { return }
            sendAll(
                client,
                Array(
                    ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").utf8))
            while let frame = readFrame(client) {
                if frame.opcode == 8 {
                    sendAll(client, [0x88, 0])
                    return
                }
                sendAll(client, [0x80 | frame.opcode, UInt8(frame.payload.count)] + frame.payload)
            }
        }
    }

    private static func readFrame(_ fd: Int32) -> (opcode: UInt8, payload: [UInt8])? {
        guard let header = read(fd, 2) else { return nil }
        let length = Int(header[1] & 0x7f)
        guard length < 126, let mask = read(fd, 4), let masked = read(fd, length) else { return nil }
        let payload = masked.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return (header[0] & 0x0f, payload)
    }

    private static func read(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let n = out[offset...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            offset += n
        }
        return out
    }

    private static func sendAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            offset += n
        }
    }
}

/// A masked client text frame, as browsers send.
func clientTextFrame(_ text: String) -> [UInt8] {
    let payload = Array(text.utf8)
    let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
    return [0x81, 0x80 | UInt8(payload.count)] + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
}
