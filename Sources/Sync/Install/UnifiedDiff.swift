/// A unified diff (`diff -u` style, 3 lines of context), what `--noop` prints instead of confd's md5 sums.
package enum UnifiedDiff {
    /// The diff from `old` to `new`; empty when they are equal.
    package static func make(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let a = lines(old)
        let b = lines(new)
        if a == b { return "" }
        let script = editScript(a, b)
        var out = "--- \(oldName)\n+++ \(newName)\n"
        // Group edits into hunks with `context` lines around them.
        var i = 0
        while i < script.count {
            guard script[i].kind != .same else {
                i += 1
                continue
            }
            var start = i
            var back = 0
            while start > 0 && back < context && script[start - 1].kind == .same {
                start -= 1
                back += 1
            }
            var end = i
            var sameRun = 0
            while end < script.count {
                if script[end].kind == .same {
                    sameRun += 1
                    if sameRun > 2 * context { break }
                } else {
                    sameRun = 0
                }
                end += 1
            }
            end -= max(0, sameRun - context)
            let hunk = script[start..<end]
            let oldStart = hunk.first?.oldLine ?? 0
            let newStart = hunk.first?.newLine ?? 0
            let oldCount = hunk.filter { $0.kind != .insert }.count
            let newCount = hunk.filter { $0.kind != .delete }.count
            out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
            for edit in hunk {
                switch edit.kind {
                case .same: out += " \(edit.text)\n"
                case .delete: out += "-\(edit.text)\n"
                case .insert: out += "+\(edit.text)\n"
                }
            }
            i = end
        }
        return out
    }

    private static func range(_ start: Int, _ count: Int) -> String {
        count == 1 ? "\(start)" : "\(count == 0 ? start - 1 : start),\(count)"
    }

    private static func lines(_ text: String) -> [String] {
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    enum Kind { case same, delete, insert }

    struct Edit {
        var kind: Kind
        var text: String
        /// 1-based line numbers where this edit sits in each file.
        var oldLine: Int
        var newLine: Int
    }

    /// Longest-common-subsequence edit script; the files are config files, small enough for O(n·m)
    /// once the common head and tail are trimmed.
    static func editScript(_ a: [String], _ b: [String]) -> [Edit] {
        var head = 0
        while head < a.count && head < b.count && a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head && tail < b.count - head && a[a.count - 1 - tail] == b[b.count - 1 - tail] {
            tail += 1
        }
        let midA = Array(a[head..<(a.count - tail)])
        let midB = Array(b[head..<(b.count - tail)])
        var edits: [Edit] = []
        for k in 0..<head { edits.append(Edit(kind: .same, text: a[k], oldLine: k + 1, newLine: k + 1)) }
        let n = midA.count
        let m = midB.count
        if n * m > 4_000_000 {
            // Too large to align: show the middle as replaced.
            for (k, line) in midA.enumerated() {
                edits.append(Edit(kind: .delete, text: line, oldLine: head + k + 1, newLine: head + 1))
            }
            for (k, line) in midB.enumerated() {
                edits.append(Edit(kind: .insert, text: line, oldLine: head + n + 1, newLine: head + k + 1))
            }
        } else {
            var table = [[Int32]](repeating: [Int32](repeating: 0, count: m + 1), count: n + 1)
            if n > 0 && m > 0 {
                for i in stride(from: n - 1, through: 0, by: -1) {
                    for j in stride(from: m - 1, through: 0, by: -1) {
                        table[i][j] =
                            midA[i] == midB[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
                    }
                }
            }
            var i = 0
            var j = 0
            while i < n || j < m {
                if i < n && j < m && midA[i] == midB[j] {
                    edits.append(Edit(kind: .same, text: midA[i], oldLine: head + i + 1, newLine: head + j + 1))
                    i += 1
                    j += 1
                } else if i < n && (j == m || table[i + 1][j] >= table[i][j + 1]) {
                    // Deletions first, as diff -u prints them.
                    edits.append(Edit(kind: .delete, text: midA[i], oldLine: head + i + 1, newLine: head + j + 1))
                    i += 1
                } else {
                    edits.append(Edit(kind: .insert, text: midB[j], oldLine: head + i + 1, newLine: head + j + 1))
                    j += 1
                }
            }
        }
        for k in 0..<tail {
            edits.append(
                Edit(
                    kind: .same, text: a[a.count - tail + k], oldLine: a.count - tail + k + 1,
                    newLine: b.count - tail + k + 1))
        }
        return edits
    }
}
