import Platform

/// Header fields in arrival order, looked up case-insensitively.
///
/// Names and values live in one byte buffer with offsets, so a parsed head costs two allocations however
/// many fields it has, and a field is turned into a `String` only when someone asks for it.
package struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    struct Field: Sendable {
        var nameStart: Int32
        var nameEnd: Int32
        var valueStart: Int32
        var valueEnd: Int32
    }

    private(set) var storage: [UInt8]
    private(set) var fields: [Field]

    /// No fields.
    package init() {
        storage = []
        fields = []
    }

    /// The given fields, in order; repeated names are kept.
    package init(_ pairs: [(String, String)]) {
        self.init()
        for (name, value) in pairs { add(name, value) }
    }

    package init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// Fields parsed from a head: `storage` holds the header bytes, `fields` point into them.
    init(storage: [UInt8], fields: [Field]) {
        self.storage = storage
        self.fields = fields
    }

    /// The number of fields.
    package var count: Int { fields.count }
    package var isEmpty: Bool { fields.isEmpty }

    /// The name of field `index`, as received.
    package func name(at index: Int) -> String {
        let field = fields[index]
        return string(Int(field.nameStart), Int(field.nameEnd))
    }

    /// The value of field `index`, without surrounding whitespace.
    package func value(at index: Int) -> String {
        let field = fields[index]
        return string(Int(field.valueStart), Int(field.valueEnd))
    }

    /// The first value of `name`, compared case-insensitively.
    package subscript(_ name: String) -> String? {
        firstIndex(of: name).map { value(at: $0) }
    }

    /// What `body` makes of the bytes of the first value of `name` (no `String` of the value is made);
    /// nil when the field is absent.
    package func withFirstValue(
        of name: String, _ body: (UnsafeBufferPointer<UInt8>) -> String?
    ) -> String? {
        guard let index = firstIndex(of: name) else { return nil }
        let field = fields[index]
        return storage.withUnsafeBufferPointer { buffer in
            body(UnsafeBufferPointer(rebasing: buffer[Int(field.valueStart)..<Int(field.valueEnd)]))
        }
    }

    /// Appends the first value of `name` to `out`; false (nothing appended) when absent.
    package func appendFirstValue(of name: String, to out: inout [UInt8]) -> Bool {
        guard let index = firstIndex(of: name) else { return false }
        let field = fields[index]
        out.append(contentsOf: storage[Int(field.valueStart)..<Int(field.valueEnd)])
        return true
    }

    /// Every value of `name`, in order.
    package func values(of name: String) -> [String] {
        fields.indices.filter { matches($0, name) }.map { value(at: $0) }
    }

    /// Whether a field called `name` exists.
    package func contains(_ name: String) -> Bool { firstIndex(of: name) != nil }

    /// Appends a field; `name` and `value` must already be valid (no CR or LF).
    package mutating func add(_ name: String, _ value: String) {
        let nameStart = storage.count
        storage.append(contentsOf: name.utf8)
        let valueStart = storage.count
        storage.append(contentsOf: value.utf8)
        fields.append(
            Field(
                nameStart: Int32(nameStart), nameEnd: Int32(valueStart), valueStart: Int32(valueStart),
                valueEnd: Int32(storage.count)))
    }

    /// Removes every field called `name`, then appends `name: value`.
    package mutating func replaceOrAdd(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    /// Removes every field called `name`.
    package mutating func remove(_ name: String) {
        guard firstIndex(of: name) != nil else { return }
        fields = fields.indices.filter { !matches($0, name) }.map { fields[$0] }
    }

    /// Whether the comma-separated values of `name` contain `token`, case-insensitively
    /// (`Connection: keep-alive, Close` contains `close`); both literals are lower-case.
    package func containsToken(_ token: StaticString, in name: StaticString) -> Bool {
        // Literals only: called for every message, so no String and no array per call.
        containsListItem(in: name) { equals($0, token) }
    }

    /// Whether `matching` holds for one of the comma-separated items (trimmed of spaces and tabs, empty ones
    /// included) of the fields called `name`; stops at the first that does.
    func containsListItem(in name: StaticString, where matching: (Range<Int>) -> Bool) -> Bool {
        storage.withUnsafeBytes { stored in
            for index in fields.indices where HeadParser.equals(stored, nameRange(index), name) {
                let field = fields[index]
                var start = Int(field.valueStart)
                let end = Int(field.valueEnd)
                while start <= end {
                    var stop = start
                    while stop < end && stored[stop] != UInt8(ascii: ",") { stop += 1 }
                    var a = start
                    var b = stop
                    while a < b && (stored[a] == 0x20 || stored[a] == 0x09) { a += 1 }
                    while b > a && (stored[b - 1] == 0x20 || stored[b - 1] == 0x09) { b -= 1 }
                    if matching(a..<b) { return true }
                    start = stop + 1
                }
            }
            return false
        }
    }

    package func makeIterator() -> AnyIterator<(name: String, value: String)> {
        var index = 0
        return AnyIterator {
            guard index < fields.count else { return nil }
            defer { index += 1 }
            return (name(at: index), value(at: index))
        }
    }

    package var description: String {
        fields.indices.map { "\(name(at: $0)): \(value(at: $0))" }.joined(separator: "\n")
    }

    /// Appends `name: value\r\n` for every field; with `skippingFraming`, leaves out Content-Length,
    /// Transfer-Encoding and Connection, which the writer then sets itself.
    func write(into out: inout [UInt8], skippingFraming: Bool = false) {
        for field in fields {
            if skippingFraming && isFramingField(field) { continue }
            out.append(contentsOf: storage[Int(field.nameStart)..<Int(field.nameEnd)])
            out.append(0x3A)
            out.append(0x20)
            out.append(contentsOf: storage[Int(field.valueStart)..<Int(field.valueEnd)])
            out.append(0x0D)
            out.append(0x0A)
        }
    }

    private func isFramingField(_ field: Field) -> Bool {
        let length = field.nameEnd - field.nameStart
        guard length == 14 || length == 17 || length == 10 else { return false }
        let name = String(decoding: storage[Int(field.nameStart)..<Int(field.nameEnd)], as: UTF8.self).lowercased()
        return name == "content-length" || name == "transfer-encoding" || name == "connection"
    }

    func firstIndex(of name: String) -> Int? {
        fields.indices.first { matches($0, name) }
    }

    func matches(_ index: Int, _ name: String) -> Bool {
        let field = fields[index]
        let length = Int(field.nameEnd - field.nameStart)
        let utf8 = name.utf8
        guard length == utf8.count else { return false }
        let start = Int(field.nameStart)
        // Literals and native strings are contiguous: compare buffers, not a UTF-8 view byte by byte.
        if let equal = utf8.withContiguousStorageIfAvailable({ wanted in
            storage.withUnsafeBufferPointer { stored in
                for offset in 0..<length where lowercased(stored[start + offset]) != lowercased(wanted[offset]) {
                    return false
                }
                return true
            }
        }) {
            return equal
        }
        var position = start
        for byte in utf8 {
            guard lowercased(storage[position]) == lowercased(byte) else { return false }
            position += 1
        }
        return true
    }

    /// `matches` for a lower-case literal name: no `String` to look into.
    func matchesLiteral(_ index: Int, _ name: StaticString) -> Bool {
        equals(nameRange(index), name)
    }

    /// Where the name of field `index` is in `storage`.
    func nameRange(_ index: Int) -> Range<Int> {
        let field = fields[index]
        return Int(field.nameStart)..<Int(field.nameEnd)
    }

    /// Whether `storage[range]` equals the lower-case ASCII `literal`, ignoring case.
    func equals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        storage.withUnsafeBytes { HeadParser.equals($0, range, literal) }
    }

    private func string(_ start: Int, _ end: Int) -> String {
        String(decoding: storage[start..<end], as: UTF8.self)
    }
}

extension HTTPHeaders: Equatable {
    /// Equal when the same names (ignoring case) and values appear in the same order.
    package static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool {
        guard a.count == b.count else { return false }
        for index in 0..<a.count
        where a.name(at: index).lowercased() != b.name(at: index).lowercased()
            || a.value(at: index) != b.value(at: index)
        {
            return false
        }
        return true
    }
}

@inline(__always)
func lowercased(_ byte: UInt8) -> UInt8 {
    byte &- 0x41 < 26 ? byte | 0x20 : byte
}
