import Formats

/// An error as etcd's v2 API reports it: `{"errorCode":…,"message":…,"cause":…,"index":…}`.
package struct V2Error: Error, Sendable, Hashable, CustomStringConvertible {
    package var code: Int
    package var cause: String
    /// The store's index (revision) when the error happened.
    package var index: Revision
    /// Overrides the status etcd gives the code (our own trust-boundary refusals).
    package var statusOverride: Int? = nil

    package init(_ code: Int, cause: String, index: Revision, status: Int? = nil) {
        self.code = code
        self.cause = cause
        self.index = index
        self.statusOverride = status
    }

    static let keyNotFound = 100, testFailed = 101, notFile = 102, notDir = 104, nodeExist = 105
    static let rootReadOnly = 107, dirNotEmpty = 108, prevValueRequired = 201, ttlNaN = 202, indexNaN = 203
    static let invalidField = 209, refreshValue = 211, refreshTTLRequired = 212, raftInternal = 300
    static let eventIndexCleared = 401

    /// etcd 2's wording of each code.
    package var message: String {
        switch code {
        case 100: "Key not found"
        case 101: "Compare failed"
        case 102: "Not a file"
        case 104: "Not a directory"
        case 105: "Key already exists"
        case 107: "Root is read only"
        case 108: "Directory not empty"
        case 201: "PrevValue is Required in POST form"
        case 202: "The given TTL in POST form is not a number"
        case 203: "The given index in POST form is not a number"
        case 209: "Invalid field"
        case 210: "Invalid POST form"
        case 211: "Value provided on refresh"
        case 212: "A TTL must be provided on refresh"
        case 300: "Raft Internal Error"
        case 401: "The event in requested index is outdated and cleared"
        default: "Unknown error"
        }
    }

    /// The HTTP status etcd gives the code (etcd's `errorStatus` table; anything else is 400).
    package var status: Int {
        if let statusOverride { return statusOverride }
        switch code {
        case 100: return 404
        case 102, 108: return 403
        case 101, 105: return 412
        case 300: return 500
        default: return 400
        }
    }

    package var description: String { "\(message) (\(cause)) [\(index)]" }

    package var body: [UInt8] {
        let json = JSONValue.object([
            ("errorCode", .number(String(code))), ("message", .string(message)), ("cause", .string(cause)),
            ("index", .number(String(index))),
        ])
        return Array((json.serialized + "\n").utf8)
    }
}
