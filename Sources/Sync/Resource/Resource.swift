import Formats

/// One confd template resource (`[template]` in a `conf.d/*.toml` file), with confd's defaults applied.
package struct Resource: Sendable, Equatable {
    /// The resource file it came from.
    package var file: String
    /// The template: `src` under `<confdir>/templates`.
    package var source: String
    package var dest: String
    /// `keys` as written.
    package var keys: [String]
    /// The effective prefix, always starting with "/": the global `--prefix` when given, else the file's.
    package var prefix: String
    /// `mode` as written; nil keeps `dest`'s mode (0644 for a new file), as confd does.
    package var mode: String?
    /// Owner and group; nil means the process's effective IDs, as confd defaults them.
    package var uid: Int?
    package var gid: Int?
    package var checkCommand: String
    package var reloadCommand: String
    /// `keep_stage_file` in the file (our extension) or `--keep-stage-file`.
    package var keepStageFile: Bool

    package init(
        file: String, source: String, dest: String, keys: [String], prefix: String = "/", mode: String? = nil,
        uid: Int? = nil, gid: Int? = nil, checkCommand: String = "", reloadCommand: String = "",
        keepStageFile: Bool = false
    ) {
        self.file = file
        self.source = source
        self.dest = dest
        self.keys = keys
        self.prefix = prefix
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.checkCommand = checkCommand
        self.reloadCommand = reloadCommand
        self.keepStageFile = keepStageFile
    }

    /// The store keys read for this resource: confd's `path.Join(prefix, key)` for each key.
    package var storeKeys: [String] { keys.map { GoPathJoin.join(prefix, $0) } }

    /// The key a template sees for a store key: confd's `path.Join("/", strings.TrimPrefix(key, prefix))`.
    package func templateKey(_ storeKey: String) -> String {
        // The common case (no prefix, a clean absolute key) maps a key to itself: skip the string work.
        if prefix == "/" && GoPathJoin.isClean(storeKey) { return storeKey }
        let trimmed = storeKey.hasPrefix(prefix) ? String(storeKey.dropFirst(prefix.count)) : storeKey
        return GoPathJoin.join("/", trimmed)
    }
}

extension Resource {
    /// The fields confd's resource struct decodes (BurntSushi/toml matches them case-insensitively).
    static let knownFields = [
        "src", "dest", "keys", "prefix", "mode", "uid", "gid", "check_cmd", "reload_cmd", "keep_stage_file",
    ]

    /// Reads a resource file's text.
    /// - Parameters:
    ///   - templateDirectory: `<confdir>/templates`, where `src` is looked up.
    ///   - globalPrefix: `--prefix`; when non-empty it replaces the file's `prefix`.
    /// - Returns: the resource and warnings (unknown keys) to log.
    /// - Throws: `SyncError.resourceFile` naming `file:line`, or `.emptySource`.
    package static func parse(
        _ text: String, file: String, templateDirectory: String, globalPrefix: String = "",
        keepStageFile: Bool = false
    ) throws(SyncError) -> (Resource, [String]) {
        let root: TOMLTable
        do {
            root = try TOMLReader.parse(text, file: file)
        } catch {
            throw .resourceFile(path: file, reason: error.description)
        }
        var warnings: [String] = []
        var table = TOMLTable()
        for entry in root.entries {
            if entry.key.lowercased() == "template", case .table(let t) = entry.value {
                table = t
            } else {
                warnings.append(
                    "\(file):\(entry.line): unknown table or key '\(entry.key)' (confd reads only [template])")
            }
        }
        var fields: [String: (TOMLValue, Int)] = [:]
        for entry in table.entries {
            let name = entry.key.lowercased()
            if knownFields.contains(name) {
                fields[name] = (entry.value, entry.line)
            } else {
                let hint = closest(name).map { " (did you mean '\($0)'?)" } ?? ""
                warnings.append("\(file):\(entry.line): unknown key '\(entry.key)' in [template]\(hint); ignored")
            }
        }
        func string(_ name: String) throws(SyncError) -> String? {
            guard let (value, line) = fields[name] else { return nil }
            guard case .string(let s) = value else {
                throw .resourceFile(
                    path: file, reason: "\(file):\(line): \(name) must be a string, not \(value.typeName)")
            }
            return s
        }
        func integer(_ name: String) throws(SyncError) -> Int? {
            guard let (value, line) = fields[name] else { return nil }
            guard case .integer(let n) = value, let small = Int(exactly: n), small >= -1, small <= Int(UInt32.max)
            else {
                throw .resourceFile(path: file, reason: "\(file):\(line): \(name) must be a user or group number")
            }
            return small == -1 ? nil : small
        }
        var keys: [String] = []
        if let (value, line) = fields["keys"] {
            guard case .array(let items) = value else {
                throw .resourceFile(path: file, reason: "\(file):\(line): keys must be an array of strings")
            }
            for item in items {
                guard case .string(let key) = item else {
                    throw .resourceFile(path: file, reason: "\(file):\(line): keys must be an array of strings")
                }
                keys.append(key)
            }
        }
        var keep = keepStageFile
        if let (value, line) = fields["keep_stage_file"] {
            guard case .bool(let b) = value else {
                throw .resourceFile(path: file, reason: "\(file):\(line): keep_stage_file must be true or false")
            }
            keep = keep || b
        }
        let src = try string("src") ?? ""
        guard !src.isEmpty else { throw .emptySource(path: file) }
        var prefix = globalPrefix.isEmpty ? (try string("prefix") ?? "") : globalPrefix
        if !prefix.hasPrefix("/") { prefix = "/" + prefix }
        let mode = try string("mode")
        let resource = Resource(
            file: file, source: GoPathJoin.join(templateDirectory, src), dest: try string("dest") ?? "", keys: keys,
            prefix: prefix, mode: (mode?.isEmpty ?? true) ? nil : mode, uid: try integer("uid"),
            gid: try integer("gid"), checkCommand: try string("check_cmd") ?? "",
            reloadCommand: try string("reload_cmd") ?? "", keepStageFile: keep)
        return (resource, warnings)
    }

    private static func closest(_ name: String) -> String? {
        knownFields.first { candidate in
            candidate.replacing("_", with: "") == name.replacing("_", with: "").replacing("-", with: "")
                || (candidate.count > 3 && (name.hasPrefix(candidate) || candidate.hasPrefix(name)))
        }
    }
}
