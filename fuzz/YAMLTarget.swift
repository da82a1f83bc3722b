import Formats

/// libFuzzer entry: a YAML file for confd's file backend. Reading it must end in a value or one
/// `YAMLError` naming a line inside the file.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzYAML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    do {
        _ = try YAMLReader.parse(text, file: "fuzz.yaml")
    } catch {
        let lines = text.utf8.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        if error.line < 0 || error.line > lines { fatalError("error on line \(error.line) of \(lines): \(error)") }
    }
    return 0
}
