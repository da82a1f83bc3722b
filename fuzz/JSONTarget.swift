import Formats

/// libFuzzer entry: any bytes are a JSON document. Parsing must end in a value or a `JSONParseError`,
/// and a value must serialize to text that parses back to the same value (the store's gateway answers
/// with `serialized`, so a value it cannot read back would break its own clients).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // A shallow limit too, so the depth check itself is exercised at every nesting level.
    _ = try? JSONParser.parse(bytes, maxDepth: Int(bytes.first ?? 0) % 8)
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    let text = value.serialized
    let again: JSONValue
    do {
        again = try JSONParser.parse(Array(text.utf8))
    } catch {
        fatalError("serialized value does not parse: \(error) in \(text)")
    }
    guard again == value else { fatalError("round trip changed the value: \(text)") }
    return 0
}
