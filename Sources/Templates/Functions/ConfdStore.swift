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
        let literal = GoPath.literalPrefix(pattern)
        let sorted = (keys as? SortedKeySnapshot)?.entries(under: literal)
        let candidates = sorted?.keys ?? keys.keys(under: literal)
        var pairs: [KVPair] = []
        pairs.reserveCapacity(candidates.count)
        // The common `/dir/*` shape: a literal, then one trailing star (which never crosses "/").
        if pattern.utf8.count == literal.utf8.count + 1 && pattern.utf8.last == UInt8(ascii: "*") {
            let skip = literal.utf8.count
            let values = sorted?.values
            for (i, key) in zip(candidates.indices, candidates) where !hasSlash(key, after: skip) {
                pairs.append(KVPair(key: key, value: values?[i] ?? keys.value(of: key) ?? ""))
            }
            return pairs
        }
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
        var previous: Substring = ""
        for key in keys.keys(under: prefix) where key != path {
            guard hasPrefixTerms(prefix, keyDirectory(key)) else { continue }
            let name = firstTerm(stripKey(key, path))
            if name != previous || names.isEmpty {
                names.insert(String(name))
                previous = name
            }
        }
        return names.sorted(by: goLess)
    }

    /// memkv's `ListDir`: names of directories directly under `path` (so `lsdir "/"` is empty).
    private func listDirectories(_ path: String) -> [String] {
        let prefix = GoPath.clean(path)
        if let sorted = keys as? SortedKeySnapshot, sorted.allKeysClean, prefix != "/" {
            return listDirectories(path, prefix: prefix, jumpingThrough: sorted.keys(under: path))
        }
        var names = Set<String>()
        var previous: Substring = ""
        for key in keys.keys(under: path) {
            let dir = keyDirectory(key)
            guard dir.utf8.count > prefix.utf8.count, hasPrefixTerms(prefix, dir) else { continue }
            // The term after the prefix; "/" itself has terms ["", ""], so nothing lies below it.
            guard prefix != "/" else { continue }
            let name = firstTerm(Substring(dir.utf8.dropFirst(prefix.utf8.count + 1)))
            if name != previous || names.isEmpty {
                names.insert(String(name))
                previous = name
            }
        }
        return names.sorted(by: goLess)
    }

    private func hasSlash(_ key: String, after skip: Int) -> Bool {
        key.utf8.withContiguousStorageIfAvailable { $0[skip...].contains(UInt8(ascii: "/")) }
            ?? key.utf8.dropFirst(skip).contains(UInt8(ascii: "/"))
    }

    /// `listDirectories` when every key is clean: after a key names directory `d`, every later key
    /// under `prefix/d/` names it too, so one binary search skips them all.
    private func listDirectories(_ path: String, prefix: String, jumpingThrough keys: ArraySlice<String>) -> [String] {
        var names: [String] = []
        var i = keys.startIndex
        while i < keys.endIndex {
            let key = keys[i]
            let dir = keyDirectory(key)
            guard dir.utf8.count > prefix.utf8.count, hasPrefixTerms(prefix, dir) else {
                i += 1
                continue
            }
            let name = firstTerm(Substring(dir.utf8.dropFirst(prefix.utf8.count + 1)))
            names.append(String(name))
            let subtree = prefix + "/" + name + "/"
            var low = i + 1
            var high = keys.endIndex
            while low < high {
                let mid = (low + high) / 2
                if hasUTF8Prefix(keys[mid], subtree) { low = mid + 1 } else { high = mid }
            }
            i = low
        }
        return Array(Set(names)).sorted(by: goLess)
    }

    /// `path.Dir(key)`, without allocating when the directory part is already clean.
    private func keyDirectory(_ key: String) -> Substring {
        let utf8 = key.utf8
        guard let slash = utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        if slash == utf8.startIndex { return "/" }
        let dir = Substring(utf8[..<slash])
        return isCleanPath(dir) ? dir : Substring(GoPath.clean(String(dir) + "/"))
    }

    /// Whether `dir`'s path terms begin with `prefix`'s (both clean), as memkv compares them.
    private func hasPrefixTerms(_ prefix: String, _ dir: Substring) -> Bool {
        let p = prefix.utf8
        let d = dir.utf8
        if d.count == p.count { return d.elementsEqual(p) }
        if prefix == "/" { return false }  // terms ["", ""]: only "/" itself has that second empty term
        return d.count > p.count && d.starts(with: p)
            && d[d.index(d.startIndex, offsetBy: p.count)] == UInt8(ascii: "/")
    }

    private func stripKey(_ key: String, _ prefix: String) -> Substring {
        var s = Substring(key)
        if s.utf8.starts(with: prefix.utf8) { s = Substring(s.utf8.dropFirst(prefix.utf8.count)) }
        if s.utf8.first == UInt8(ascii: "/") { s = Substring(s.utf8.dropFirst()) }
        return s
    }

    private func firstTerm(_ s: Substring) -> Substring {
        guard let slash = s.utf8.firstIndex(of: UInt8(ascii: "/")) else { return s }
        return Substring(s.utf8[..<slash])
    }
}
