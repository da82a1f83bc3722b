import Foundation
import Platform
import Synchronization
import Templates

/// What processing one resource came to.
package enum ResourceOutcome: Sendable, Equatable {
    /// `dest` already held these bytes, mode and owner.
    case inSync
    /// `dest` was replaced; `reload` is the command to run (nil: none, or `--sync-only`).
    case updated(reload: String?)
    /// `--noop`: `dest` would change (or not); nothing was written.
    case noop(changed: Bool)
    case failed(SyncError)
}

/// Global options that change how every resource is processed (confd's `-noop`, `-sync-only`, `-keep-stage-file`).
package struct ProcessOptions: Sendable {
    package var noop = false
    package var syncOnly = false
    package var keepStageFile = false
    package init(noop: Bool = false, syncOnly: Bool = false, keepStageFile: Bool = false) {
        self.noop = noop
        self.syncOnly = syncOnly
        self.keepStageFile = keepStageFile
    }
}

/// One resource's pipeline, as confd's `TemplateResource.process`: mode → keys → render → stage beside
/// `dest` → compare contents, mode and owner → `check_cmd` on the stage file → atomic rename. The reload
/// is left to the caller, so resources sharing a `reload_cmd` reload once per cycle.
package final class ResourceProcessor: Sendable {
    let options: ProcessOptions
    let log: Log
    /// Where `--noop` diffs go (standard output in `router sync`).
    let output: @Sendable (String) -> Void
    private let templates = Mutex<[String: (text: String, template: Template)]>([:])

    package init(options: ProcessOptions, log: Log, output: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.log = log
        self.output = output
    }

    /// Processes `resource` against `read` (store keys as the backend returned them).
    package func process(_ resource: Resource, _ read: KeyRead) async -> ResourceOutcome {
        let log = self.log.with("dest", resource.dest)
        do {
            let outcome = try await pipeline(resource, read, log: log)
            return outcome
        } catch {
            return .failed(error)
        }
    }

    private func pipeline(_ resource: Resource, _ read: KeyRead, log: Log) async throws(SyncError) -> ResourceOutcome {
        let mode: UInt32
        if let text = resource.mode {
            guard let parsed = FileMode.parse(text) else { throw .badMode(path: resource.file, mode: text) }
            mode = parsed
        } else {
            mode = StageFile.currentMode(of: resource.dest) ?? 0o644
        }
        var pairs = read.pairs
        if !(resource.prefix == "/" && read.pairs.keys.allSatisfy(GoPathJoin.isClean)) {
            pairs = [:]
            pairs.reserveCapacity(read.pairs.count)
            for (key, value) in read.pairs { pairs[resource.templateKey(key)] = value }
        }
        let rendered = try render(resource, SortedKeySnapshot(pairs), log: log)
        let bytes = Array(rendered.utf8)
        let stage = try StageFile.create(bytes, for: resource.dest, mode: mode, uid: resource.uid, gid: resource.gid)
        let keep = options.keepStageFile || resource.keepStageFile
        if keep { log.info("keeping staged file", ["stage": stage.path]) }
        var installed = false
        defer { if !keep && !installed { stage.remove() } }

        let changed = compare(stage: stage.path, contents: bytes, dest: resource.dest, log: log)
        if options.noop {
            log.warning("noop mode enabled, target config will not be modified")
            if changed {
                let old = StageFile.facts(of: resource.dest).map { String(decoding: $0.contents, as: UTF8.self) } ?? ""
                output(
                    UnifiedDiff.make(old: old, new: rendered, oldName: resource.dest, newName: resource.dest + " (new)")
                )
            }
            return .noop(changed: changed)
        }
        guard changed else {
            log.debug("target config in sync")
            return .inSync
        }
        log.info("target config out of sync")
        if !options.syncOnly && !resource.checkCommand.isEmpty {
            let command = try commandText(resource.checkCommand, src: stage.path, dest: resource.dest, name: "checkcmd")
            log.debug("running check_cmd", ["command": command])
            let result = await ShellCommand.run(command)
            guard result.succeeded else {
                throw .checkFailed(
                    dest: resource.dest, command: command, status: result.status, output: result.output.oneLine)
            }
        }
        try stage.install()
        installed = true
        log.info("target config updated")
        guard !options.syncOnly && !resource.reloadCommand.isEmpty else { return .updated(reload: nil) }
        return .updated(
            reload: try commandText(resource.reloadCommand, src: stage.path, dest: resource.dest, name: "reloadcmd"))
    }

    /// Renders the template (compiled once per distinct text), with the injection guard merged in.
    func render(
        _ resource: Resource, _ snapshot: SortedKeySnapshot, log: Log, compileOnly: Bool = false
    ) throws(SyncError) -> String {
        guard let data = FileManager.default.contents(atPath: resource.source) else {
            throw .missingTemplate(resource.source)
        }
        let text = String(decoding: data, as: UTF8.self)
        let template = try compiled(resource.source, text)
        if compileOnly { return "" }
        let guardFunctions = HostPortGuard()
        let result: String
        do {
            result = try template.render(
                functions: FunctionSet.confd(snapshot, environment: .process).merging(guardFunctions.functions),
                data: .none)
        } catch {
            throw .render(dest: resource.dest, error: error)
        }
        for key in guardFunctions.takeRefused() {
            log.warning(
                "value refused: not a strict host:port, left out of the config",
                ["key": resource.prefix == "/" ? key.oneLine : GoPathJoin.join(resource.prefix, key).oneLine])
        }
        return result
    }

    private func compiled(_ path: String, _ text: String) throws(SyncError) -> Template {
        if let cached = templates.withLock({ $0[path] }), cached.text == text { return cached.template }
        let name = (path as NSString).lastPathComponent
        do {
            let template = try Template(
                name: name, text: text, functions: FunctionSet.confdSignatures.merging(HostPortGuard.signatures))
            templates.withLock { $0[path] = (text, template) }
            return template
        } catch {
            throw .templateSyntax(path: path, error: error)
        }
    }

    /// `check_cmd` (and our `reload_cmd`) as a Go template over `{{.src}}` (the stage file) and `{{.dest}}`.
    private func commandText(_ command: String, src: String, dest: String, name: String) throws(SyncError) -> String {
        guard command.contains("{{") else { return command }
        do {
            let template = try Template(name: name, text: command, functions: FunctionSet())
            return try template.render(
                functions: FunctionSet(), data: .map(["src": .string(src), "dest": .string(dest)]))
        } catch {
            throw .templateSyntax(path: name, error: error)
        }
    }

    /// confd's `IsConfigChanged`, logging each difference as confd does.
    func compare(stage: String, contents: [UInt8], dest: String, log: Log) -> Bool {
        // The staged bytes are in memory: only the stage file's mode and owner are read back.
        guard let want = StageFile.facts(of: stage, contents: contents) else { return true }
        guard let have = StageFile.facts(of: dest) else { return true }
        if have.uid != want.uid {
            log.info("target config has the wrong owner", ["have": "\(have.uid)", "want": "\(want.uid)"])
        }
        if have.gid != want.gid {
            log.info("target config has the wrong group", ["have": "\(have.gid)", "want": "\(want.gid)"])
        }
        if have.mode != want.mode {
            log.info(
                "target config has the wrong mode",
                ["have": "0" + String(have.mode, radix: 8), "want": "0" + String(want.mode, radix: 8)])
        }
        if have.contents != want.contents {
            log.info(
                "target config has other contents",
                ["have_bytes": "\(have.contents.count)", "want_bytes": "\(want.contents.count)"])
        }
        return have != want
    }
}
