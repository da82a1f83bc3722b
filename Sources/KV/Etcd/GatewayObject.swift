import Formats
import Platform

/// A JSON object read as one protobuf message of etcd's gateway: fields by proto name or lowerCamelCase,
/// int64 as number or string, bytes as base64, enums by name or number, unknown fields rejected.
package struct GatewayObject {
    private let fields: [String: JSONValue]
    /// The protobuf message name, for error messages (`etcdserverpb.RangeRequest`).
    package let type: String

    /// - Throws: `GatewayError` (invalid argument) when `value` is not an object or holds unknown or repeated fields.
    package init(_ value: JSONValue, type: String, known: Set<String>) throws {
        guard case .object(let members) = value else {
            throw GatewayError(
                .invalidArgument, "json: cannot unmarshal \(value.kindName) into Go value of type \(type)")
        }
        var fields: [String: JSONValue] = [:]
        for (rawName, member) in members {
            let name = GatewayObject.protoName(rawName)
            guard known.contains(name) else {
                throw GatewayError(.invalidArgument, "unknown field \"\(rawName)\" in \(type)")
            }
            fields[name] = member
        }
        self.fields = fields
        self.type = type
    }

    /// `rangeEnd` → `range_end`; names starting upper-case (`ID`, `TTL`) stay as they are.
    static func protoName(_ name: String) -> String {
        guard let first = name.unicodeScalars.first, first.properties.isLowercase,
            name.unicodeScalars.contains(where: { $0.properties.isUppercase })
        else { return name }
        var out = ""
        for scalar in name.unicodeScalars {
            if scalar.properties.isUppercase {
                out += "_" + String(scalar).lowercased()
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private func present(_ name: String) -> JSONValue? {
        guard let value = fields[name], value != .null else { return nil }
        return value
    }

    private func typeError(_ name: String, _ value: JSONValue, _ goType: String) -> GatewayError {
        GatewayError(
            .invalidArgument,
            "json: cannot unmarshal \(value.kindName) into field \"\(name)\" of type \(goType) in \(type)")
    }

    /// Whether the field is present and not null.
    package func has(_ name: String) -> Bool { present(name) != nil }

    /// A `bytes` field (base64); empty when absent.
    package func bytes(_ name: String) throws -> [UInt8] {
        guard let value = present(name) else { return [] }
        guard case .string(let text) = value else { throw typeError(name, value, "[]byte") }
        do {
            return try Base64.decode(text)
        } catch let error as Base64Error {
            throw GatewayError(.invalidArgument, "\(error.description) (field \"\(name)\")")
        }
    }

    /// An `int64` field given as a JSON number or a decimal string; 0 when absent.
    package func int64(_ name: String) throws -> Int64 {
        guard let value = present(name) else { return 0 }
        let text: String
        switch value {
        case .number(let n): text = n
        case .string(let s): text = s
        default: throw typeError(name, value, "int64")
        }
        guard let number = Int64(text) else {
            throw GatewayError(.invalidArgument, "bad value for field \"\(name)\" in \(type): \(text) is not an int64")
        }
        return number
    }

    /// A `bool` field; false when absent.
    package func bool(_ name: String) throws -> Bool {
        guard let value = present(name) else { return false }
        guard case .bool(let b) = value else { throw typeError(name, value, "bool") }
        return b
    }

    /// A nested message field; nil when absent.
    package func object(_ name: String, type: String, known: Set<String>) throws -> GatewayObject? {
        guard let value = present(name) else { return nil }
        return try GatewayObject(value, type: type, known: known)
    }

    /// A repeated field; empty when absent.
    package func array(_ name: String) throws -> [JSONValue] {
        guard let value = present(name) else { return [] }
        guard case .array(let items) = value else { throw typeError(name, value, "[]") }
        return items
    }

    /// An enum field by name or number; `names[0]` when absent.
    package func enumCase(_ name: String, names: [String], enumType: String) throws -> Int {
        guard let value = present(name) else { return 0 }
        switch value {
        case .string(let s):
            if let index = names.firstIndex(of: s) { return index }
            throw GatewayError(.invalidArgument, "unknown value \"\(s)\" for enum \(enumType)")
        case .number(let n):
            if let index = Int(n), names.indices.contains(index) { return index }
            throw GatewayError(.invalidArgument, "unknown value \(n) for enum \(enumType)")
        default:
            throw typeError(name, value, enumType)
        }
    }
}
