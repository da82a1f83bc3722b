/// memkv's store functions (`exists get gets getv getvs ls lsdir`) over a `KeySnapshot`.
///
/// Results equal memkv's for the same keys, but each call touches only the keys under the
/// path or pattern's literal prefix (found by binary search), never every key.
struct ConfdStore<Keys: KeySnapshot>: Sendable {
    let keys: Keys

    var functions: [String: FunctionSet.Function] {
        [
            "exists": unary { .bool(keys.value(of: $0) != nil) },
            "get": unary { key in
                guard let value = keys.value(of: key) else { throw FunctionError.failed("key does not exist: \(key)") }
                return .pair(KVPair(key: key, value: value))
            },
            "getv": { args in
                try expectAtLeast(args, 1)
                let key = try args[0].asString()
                let fallback = args.count > 1 ? try args[1].asString() : nil
                for extra in args.dropFirst(2) { _ = try extra.asString() }
                if let value = keys.value(of: key) { return .string(value) }
                if let fallback { return .string(fallback) }
                throw FunctionError.failed("key does not exist: \(key)")
            },
            "gets": unary { pattern in
                .list(try matching(pattern).map { .pair($0) }, .kvPairs)
            },
            "getvs": unary { pattern in
                .strings(try matching(pattern).map(\.value).sorted(by: goLess))
            },
            "ls": unary { .strings(list($0)) },
            "lsdir": unary { .strings(listDirectories($0)) },
        ]
    }

    /// memkv's `GetAll`: pairs whose key matches the `filepath.Match` pattern, sorted by key.
    /// As in memkv, a malformed pattern is an error only when the store holds some key.
    private func matching(_ pattern: String) throws -> [KVPair] {
        let candidates = keys.keys(under: GoPath.literalPrefix(pattern))
        var pairs: [KVPair] = []
        do {
            if candidates.isEmpty, let any = keys.keys(under: "").first { _ = try GoPath.match(pattern, any) }
            for key in candidates where try GoPath.match(pattern, key) {
                pairs.append(KVPair(key: key, value: keys.value(of: key) ?? ""))
            }
        } catch {
            throw FunctionError.failed("syntax error in pattern")
        }
        return pairs
    }

    /// memkv's `List`: names directly under `path`, leaves and directories alike; a key equal to
    /// `path` lists its own base name. (So `ls "/"` lists only root-level leaves.)
    private func list(_ path: String) -> [String] {
        let prefix = GoPath.clean(path)
        var names = Set<String>()
        if keys.value(of: path) != nil { names.insert(GoPath.base(path)) }
        for key in keys.keys(under: prefix) where key != path {
            let dir = GoPath.dir(key)
            guard hasPrefixTerms(prefix, dir) else { continue }
            names.insert(firstTerm(stripKey(key, path)))
        }
        return names.sorted(by: goLess)
    }

    /// memkv's `ListDir`: names of directories directly under `path` (so `lsdir "/"` is empty).
    private func listDirectories(_ path: String) -> [String] {
        let prefix = GoPath.clean(path)
        let prefixTerms = prefix.split(separator: "/", omittingEmptySubsequences: false).count
        var names = Set<String>()
        for key in keys.keys(under: path) {
            let dir = GoPath.dir(key)
            guard hasPrefixTerms(prefix, dir) else { continue }
            let terms = dir.split(separator: "/", omittingEmptySubsequences: false)
            if terms.count > prefixTerms { names.insert(String(terms[prefixTerms])) }
        }
        return names.sorted(by: goLess)
    }

    /// Whether `dir`'s path terms begin with `prefix`'s (both clean), as memkv compares them.
    private func hasPrefixTerms(_ prefix: String, _ dir: String) -> Bool {
        if dir == prefix { return true }
        if prefix == "/" { return false }  // terms ["", ""]: only "/" itself has that second empty term
        return dir.utf8.count > prefix.utf8.count && dir.hasPrefix(prefix)
            && dir.utf8[dir.utf8.index(dir.utf8.startIndex, offsetBy: prefix.utf8.count)] == UInt8(ascii: "/")
    }

    private func stripKey(_ key: String, _ prefix: String) -> Substring {
        var s = Substring(key)
        if s.utf8.starts(with: prefix.utf8) { s = s.dropFirst(prefix.count) }
        if s.hasPrefix("/") { s = s.dropFirst() }
        return s
    }

    private func firstTerm(_ s: Substring) -> String {
        String(s.prefix { $0 != "/" })
    }
}
