import HTTP
import Testing

/// `HTTPHeaders.writeEndToEnd`: what an intermediary forwards of a head.
struct HeadersForwardingTests {
    @Test(arguments: HTTPHeaders.hopByHop)
    func everyHopByHopFieldIsLeftOutInAnyCase(_ name: String) {
        for spelling in [name, name.uppercased(), name.prefix(1).uppercased() + name.dropFirst()] {
            let headers = HTTPHeaders([("X-Before", "1"), (spelling, "v"), ("X-After", "2")])
            var out: [UInt8] = []
            headers.writeEndToEnd(into: &out)
            #expect(String(decoding: out, as: UTF8.self) == "X-Before: 1\r\nX-After: 2\r\n", "\(spelling)")
        }
    }

    @Test func namesOfTheSameLengthAsAHopByHopFieldAreForwarded() {
        // Same lengths as te, upgrade, keep-alive, content-length, transfer-encoding: only the names differ.
        let headers = HTTPHeaders([
            ("tx", "1"), ("upgradx", "x"), ("keep-alivf", "2"),
            ("content-lengtx", "3"), ("transfer-encodinx", "4"),
        ])
        var out: [UInt8] = []
        headers.writeEndToEnd(into: &out)
        #expect(
            String(decoding: out, as: UTF8.self)
                == "tx: 1\r\nupgradx: x\r\nkeep-alivf: 2\r\ncontent-lengtx: 3\r\ntransfer-encodinx: 4\r\n")
    }

    @Test func fieldsNamedInConnectionAndInDroppingAreLeftOut() {
        let headers = HTTPHeaders([
            ("Connection", "keep-alive, X-Hop"), ("X-Hop", "1"), ("X-Real-IP", "10.0.0.1"), ("Accept", "*/*"),
        ])
        var out: [UInt8] = []
        headers.writeEndToEnd(into: &out, dropping: ["x-real-ip"])
        #expect(String(decoding: out, as: UTF8.self) == "Accept: */*\r\n")
    }
}
