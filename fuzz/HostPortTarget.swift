import Platform

/// libFuzzer entry: a `HOST:PORT` as a store value or flag gives it. A parsed address must print as
/// text that parses back to itself and holds nothing a config or a connect could misread.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzHostPort(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for (defaultPort, allowsPortZero) in [(nil, false), (80, true)] as [(Int?, Bool)] {
        guard let address = try? HostPort.parse(text, defaultPort: defaultPort, allowsPortZero: allowsPortZero)
        else { continue }
        let printed = address.description
        require(
            printed.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: ";") },
            "\(text.debugDescription) parsed to \(printed.debugDescription), which is not plain ASCII")
        do {
            let again = try HostPort.parse(printed, allowsPortZero: allowsPortZero)
            require(again == address, "\(printed.debugDescription) parsed back to \(again), not \(address)")
        } catch {
            fatalError("\(printed.debugDescription) (from \(text.debugDescription)) does not parse back: \(error)")
        }
    }
    return 0
}

/// Like `precondition`, but the message survives `-O` (the fuzz build), so a crash report says what broke.
private func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
