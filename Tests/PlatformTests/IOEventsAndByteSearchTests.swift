import Platform
import Testing

/// The event mask's set operations (concrete, not OptionSet's generic defaults) and `ByteSearch`.
struct IOEventsAndByteSearchTests {
    @Test func aHangupIsSeenWhenEitherOfItsTwoBitsIsSet() {
        // `.hangup` is EPOLLHUP | EPOLLERR; epoll may report either alone.
        let bits = IOEvents.hangup.rawValue
        let lowest = bits & (0 &- bits)
        let alone = [IOEvents(rawValue: lowest), IOEvents(rawValue: bits ^ lowest)]
        #expect(alone.allSatisfy { $0.rawValue != 0 && $0.overlaps(.hangup) && !$0.contains(.hangup) })
        #expect(!IOEvents.readable.overlaps(.hangup))
        #expect(!IOEvents.writable.overlaps(.readable))
    }

    @Test func insertAddsBitsAndContainsNeedsAllOfThem() {
        var events = IOEvents(rawValue: 0)
        #expect(events.insert(.readable).inserted)
        #expect(!events.insert(.readable).inserted)
        events.insert(.writable)
        #expect(events.contains(.readable) && events.contains(.writable))
        #expect(events == IOEvents(rawValue: IOEvents.readable.rawValue | IOEvents.writable.rawValue))
    }

    @Test(
        arguments: [
            ("abc\ndef\n", 0, 3), ("abc\ndef\n", 4, 7), ("abc\ndef\n", 8, nil), ("", 0, nil), ("\n", 0, 0),
            ("no line end", 0, nil), ("abc\n", 9, nil),
        ] as [(String, Int, Int?)])
    func byteSearchFindsTheFirstMatchAtOrAfterStart(_ text: String, _ start: Int, _ expected: Int?) {
        let bytes = Array(text.utf8)
        let found = bytes.withUnsafeBytes { ByteSearch.firstIndex(of: 0x0A, in: $0, from: start) }
        #expect(found == expected)
    }
}
