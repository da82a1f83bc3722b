import Formats

/// libFuzzer entry: a confd resource or `confd.toml` file. Reading it must end in a table or one
/// `TOMLError` naming a line inside the file.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTOML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let table = try TOMLReader.parse(bytes, file: "fuzz.toml")
        for key in table.keys { _ = (table[key]?.typeName, table.line(of: key)) }
    } catch {
        let lines = bytes.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        if error.line < 0 || error.line > lines { fatalError("error on line \(error.line) of \(lines): \(error)") }
    }
    return 0
}
