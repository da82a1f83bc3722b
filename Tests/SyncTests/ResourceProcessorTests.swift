import Foundation
import Platform
import Sync
import TestSupport
import Testing

/// Every outcome of confd's per-resource pipeline: render, stage, compare, check, rename.
struct ResourceProcessorTests {
    let template = "{{range gets \"/services/web/app/*\"}}server {{.Value}};\n{{end}}"
    let pairs = ["/services/web/app/app@1": "10.0.0.1:80", "/services/web/app/app@2": "10.0.0.2:80"]

    func resource(_ dir: Confdir, _ extra: String = "") throws -> Resource {
        try dir.resource("app", template: template, extra: extra)
        let text = dir.read(dir.path + "/conf.d/app.toml") ?? ""
        return try Resource.parse(text, file: "app.toml", templateDirectory: dir.path + "/templates").0
    }

    func processor(_ options: ProcessOptions = ProcessOptions(), output: OutputCollector = OutputCollector())
        -> (ResourceProcessor, MemoryLogSink)
    {
        let sink = MemoryLogSink()
        return (
            ResourceProcessor(
                options: options, log: Log(component: "sync", level: .debug, sink: sink), output: output.sink), sink
        )
    }

    func stageFiles(_ dir: Confdir) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.out)) ?? []).filter { $0.hasPrefix(".") }
    }

    @Test func rendersStagesAndInstallsWithTheModeThenReportsInSync() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        let resource = try resource(dir, "mode = \"0600\"\nreload_cmd = \"touch \(dir.out)/reloaded\"\n")
        let (processor, _) = processor()
        let first = await processor.process(resource, KeyRead(pairs: pairs, revision: 2))
        #expect(first == .updated(reload: "touch \(dir.out)/reloaded"))
        #expect(dir.read(resource.dest) == "server 10.0.0.1:80;\nserver 10.0.0.2:80;\n")
        let mode = try FileManager.default.attributesOfItem(atPath: resource.dest)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(await processor.process(resource, KeyRead(pairs: pairs, revision: 2)) == .inSync)
        #expect(stageFiles(dir).isEmpty)
    }

    @Test func aModeChangeAloneMakesTheFileOutOfSync() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        let resource = try resource(dir, "mode = \"0644\"\n")
        let (processor, sink) = processor()
        _ = await processor.process(resource, KeyRead(pairs: pairs, revision: 2))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: resource.dest)
        #expect(await processor.process(resource, KeyRead(pairs: pairs, revision: 2)) == .updated(reload: nil))
        #expect(sink.messages.contains("target config has the wrong mode"))
    }

    @Test func keepsTheExistingModeWhenTheResourceGivesNone() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        let resource = try resource(dir)
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: resource.dest))
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: resource.dest)
        let (processor, _) = processor()
        _ = await processor.process(resource, KeyRead(pairs: pairs, revision: 2))
        let mode = try FileManager.default.attributesOfItem(atPath: resource.dest)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o640)
    }

    @Test func checkCommandSeesTheStagedFileAndAFailureLeavesDestUntouched() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        let resource = try resource(
            dir, "check_cmd = \"cp {{.src}} \(dir.out)/checked; echo 'bad config' >&2; exit 3\"\n")
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: resource.dest))
        let (processor, _) = processor()
        let outcome = await processor.process(resource, KeyRead(pairs: pairs, revision: 2))
        guard case .failed(let error) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        let stage = error.description.split(separator: " ").first { $0.contains("/.app.conf") }.map(String.init) ?? "?"
        #expect(
            error.description
                == "config check failed for \(resource.dest): check_cmd 'cp \(stage) \(dir.out)/checked; echo 'bad config' >&2; exit 3' exited 3: bad config; kept the previous file"
        )
        #expect(dir.read(dir.out + "/checked") == "server 10.0.0.1:80;\nserver 10.0.0.2:80;\n")
        #expect(dir.read(resource.dest) == "old\n")
        #expect(stageFiles(dir).isEmpty)
    }

    @Test func aRenderErrorOrMissingKeyLeavesDestUntouched() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.resource("app", template: "{{getv \"/services/web/missing\"}}")
        let resource = try Resource.parse(
            dir.read(dir.path + "/conf.d/app.toml") ?? "", file: "app.toml", templateDirectory: dir.path + "/templates"
        ).0
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: resource.dest))
        let (processor, _) = processor()
        let outcome = await processor.process(resource, KeyRead(pairs: pairs, revision: 2))
        #expect(
            outcome.failureText
                == "render failed for \(resource.dest): template: app.tmpl:1:2: executing \"app.tmpl\" at <getv \"/services/web/missing\">: error calling getv: key does not exist: /services/web/missing; kept the previous file"
        )
        #expect(dir.read(resource.dest) == "old\n")
        #expect(stageFiles(dir).isEmpty)
    }

    @Test func aMissingTemplateAndATemplateSyntaxErrorAreReported() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        var resource = try resource(dir)
        try dir.write("templates/app.tmpl", "{{if}}")
        let (processor, _) = processor()
        #expect(
            await processor.process(resource, KeyRead(pairs: pairs, revision: 2)).failureText
                == "unable to process template \(resource.source): template: app.tmpl:1:4: missing value for if")
        resource.source = dir.path + "/templates/none.tmpl"
        #expect(
            await processor.process(resource, KeyRead(pairs: pairs, revision: 2)).failureText
                == "missing template: \(dir.path)/templates/none.tmpl")
    }

    @Test func aMissingDestinationDirectoryFailsWithoutCreatingIt() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        var resource = try resource(dir)
        resource.dest = dir.out + "/missing/app.conf"
        let (processor, _) = processor()
        let text = await processor.process(resource, KeyRead(pairs: pairs, revision: 2)).failureText ?? ""
        #expect(text.hasPrefix("cannot stage \(resource.dest): open \(dir.out)/missing/.app.conf"))
        #expect(text.hasSuffix(": No such file or directory; kept the previous file"))
        #expect(!FileManager.default.fileExists(atPath: dir.out + "/missing"))
    }

    @Test func aSymlinkedDestIsComparedThroughTheLinkAndReplacedByTheFileAsConfdDoes() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        let resource = try resource(dir)
        try Data("server 10.0.0.1:80;\nserver 10.0.0.2:80;\n".utf8).write(
            to: URL(fileURLWithPath: dir.out + "/real.conf"))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dir.out + "/real.conf")
        try FileManager.default.createSymbolicLink(atPath: resource.dest, withDestinationPath: dir.out + "/real.conf")
        let (processor, _) = processor()
        #expect(await processor.process(resource, KeyRead(pairs: pairs, revision: 2)) == .inSync)
        _ = await processor.process(resource, KeyRead(pairs: ["/services/web/app/app@1": "10.0.0.3:80"], revision: 3))
        let type = try FileManager.default.attributesOfItem(atPath: resource.dest)[.type] as? FileAttributeType
        #expect(type == .typeRegular)
        #expect(dir.read(resource.dest) == "server 10.0.0.3:80;\n")
        #expect(dir.read(dir.out + "/real.conf") == "server 10.0.0.1:80;\nserver 10.0.0.2:80;\n")
    }

    @Test func noopPrintsAUnifiedDiffAndWritesNothing() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        let resource = try resource(dir, "check_cmd = \"touch \(dir.out)/checked\"\n")
        try Data("server 10.0.0.1:80;\nserver 10.0.0.9:80;\n".utf8).write(to: URL(fileURLWithPath: resource.dest))
        let output = OutputCollector()
        let (processor, sink) = processor(ProcessOptions(noop: true), output: output)
        #expect(await processor.process(resource, KeyRead(pairs: pairs, revision: 2)) == .noop(changed: true))
        #expect(
            output.written
                == "--- \(resource.dest)\n+++ \(resource.dest) (new)\n@@ -1,2 +1,2 @@\n server 10.0.0.1:80;\n-server 10.0.0.9:80;\n+server 10.0.0.2:80;\n"
        )
        #expect(dir.read(resource.dest) == "server 10.0.0.1:80;\nserver 10.0.0.9:80;\n")
        #expect(!FileManager.default.fileExists(atPath: dir.out + "/checked"))
        #expect(sink.messages.contains("noop mode enabled, target config will not be modified"))
        #expect(stageFiles(dir).isEmpty)
    }

    @Test func syncOnlyWritesWithoutCheckingOrReloading() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        let resource = try resource(dir, "check_cmd = \"exit 1\"\nreload_cmd = \"exit 1\"\n")
        let (processor, _) = processor(ProcessOptions(syncOnly: true))
        #expect(await processor.process(resource, KeyRead(pairs: pairs, revision: 2)) == .updated(reload: nil))
        #expect(dir.read(resource.dest) == "server 10.0.0.1:80;\nserver 10.0.0.2:80;\n")
    }

    @Test func keepStageFileLeavesTheStagedFileBeside() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        let resource = try resource(dir)
        try Data("server 10.0.0.1:80;\nserver 10.0.0.2:80;\n".utf8).write(to: URL(fileURLWithPath: resource.dest))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: resource.dest)
        let (processor, sink) = processor(ProcessOptions(keepStageFile: true))
        #expect(await processor.process(resource, KeyRead(pairs: pairs, revision: 2)) == .inSync)
        #expect(stageFiles(dir).count == 1)
        #expect(sink.messages.contains("keeping staged file"))
    }

    @Test func reloadCommandMayUseSrcAndDest() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        let resource = try resource(dir, "reload_cmd = \"echo {{.dest}}\"\n")
        let (processor, _) = processor()
        #expect(
            await processor.process(resource, KeyRead(pairs: pairs, revision: 2))
                == .updated(reload: "echo \(resource.dest)"))
    }

    @Test func theGuardSkipsABadValueLogsItsKeyOnOneLineAndRendersTheRest() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.resource(
            "app", template: "{{range hostPorts (gets \"/services/web/app/*\")}}server {{.Value}};\n{{end}}")
        let resource = try Resource.parse(
            dir.read(dir.path + "/conf.d/app.toml") ?? "", file: "app.toml", templateDirectory: dir.path + "/templates"
        ).0
        let (processor, sink) = processor()
        let bad = [
            "/services/web/app/a@1": "10.0.0.1:80",
            "/services/web/app/a@2": "127.0.0.1:1; } server { listen 127.0.0.1:1",
            "/services/web/app/a@3": "127.0.0.1:1 max_fails=1 backup",
            "/services/web/app/a\n@4": "10.0.0.4:80\n",
        ]
        _ = await processor.process(resource, KeyRead(pairs: bad, revision: 2))
        #expect(dir.read(resource.dest) == "server 10.0.0.1:80;\n")
        let refused = sink.written.filter { $0.contains("value refused") }
        #expect(refused.count == 3)
        #expect(refused.allSatisfy { !$0.contains("\n") })
        #expect(refused.contains { $0.hasSuffix(#"key=/services/web/app/a\n@4"#) })
    }
}

extension ResourceOutcome {
    var failureText: String? {
        if case .failed(let error) = self { return error.description }
        return nil
    }
}
