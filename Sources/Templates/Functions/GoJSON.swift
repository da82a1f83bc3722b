import Formats

/// confd's `json` and `jsonArray`: Go's `json.Unmarshal` into `interface{}` values, on top of
/// `Formats`' strict parser. Objects become maps, arrays `[]interface {}`, every number a
/// `float64` (so 8080 prints `8080`, 1000000 `1e+06`), null nil. Error messages are Go's.
enum GoJSON {
    /// JSON may nest this deep inside a store value; deeper is an error, never a stack overflow.
    /// (Go allows 10,000; values that deep are not configuration.)
    static let maximumDepth = 100

    /// What the value must decode into.
    enum Target {
        /// `map[string]interface {}` (`json`).
        case object
        /// `[]interface {}` (`jsonArray`).
        case array

        var goTypeName: String {
            switch self {
            case .object: "map[string]interface {}"
            case .array: "[]interface {}"
            }
        }
    }

    /// Decodes `text` into `target`, as confd's `UnmarshalJsonObject`/`UnmarshalJsonArray` do.
    /// - Throws: `FunctionError.failed` with Go's message: syntax first, then the type mismatch.
    static func decode(_ text: String, as target: Target) throws(FunctionError) -> Value {
        let json: JSONValue
        do {
            json = try JSONParser.parse(Array(text.utf8), maxDepth: maximumDepth)
        } catch let error as JSONParseError {
            throw .failed(error.message)
        } catch {
            throw .failed("\(error)")
        }
        switch (json, target) {
        case (.null, .object): return .map([:])
        case (.null, .array): return .list([], .interfaces)
        case (.object, .object), (.array, .array): return try value(json)
        default:
            throw .failed("json: cannot unmarshal \(json.kindName) into Go value of type \(target.goTypeName)")
        }
    }

    /// Go's `interface{}` form of a parsed value. Recursion is bounded by the parser's depth limit.
    private static func value(_ json: JSONValue) throws(FunctionError) -> Value {
        switch json {
        case .null: return .none
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .number(let text):
            // Go's ParseFloat: a literal beyond float64's range is an error, not infinity.
            guard let f = Double(text), f.isFinite else {
                throw .failed("json: cannot unmarshal number \(text) into Go value of type float64")
            }
            return .float(f)
        case .array(let items):
            var values: [Value] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try value(item)) }
            return .list(values, .interfaces)
        case .object(let members):
            var map: [String: Value] = [:]
            map.reserveCapacity(members.count)
            for (name, member) in members { map[name] = try value(member) }  // the last duplicate wins, as in Go
            return .map(map)
        }
    }
}
