import Foundation
import Sync
import Testing

struct ResourceFileTests {
    @Test func readsEveryConfdOptionWithConfdsDefaults() throws {
        let text = """
            [template]
            src = "nginx.tmpl"
            dest = "/etc/nginx/conf.d/apps.conf"
            keys = ["/services/web", "/other"]
            prefix = "production"
            mode = "0640"
            uid = 0
            gid = 0
            check_cmd = "nginx -t -c {{.src}}"
            reload_cmd = "nginx -s reload"
            """
        let (resource, warnings) = try Resource.parse(text, file: "a.toml", templateDirectory: "/etc/confd/templates")
        #expect(warnings.isEmpty)
        #expect(resource.source == "/etc/confd/templates/nginx.tmpl")
        #expect(resource.dest == "/etc/nginx/conf.d/apps.conf")
        #expect(resource.keys == ["/services/web", "/other"])
        #expect(resource.prefix == "/production")
        #expect(resource.storeKeys == ["/production/services/web", "/production/other"])
        #expect(resource.mode == "0640")
        #expect(resource.uid == 0 && resource.gid == 0)
        #expect(resource.checkCommand == "nginx -t -c {{.src}}")
        #expect(resource.reloadCommand == "nginx -s reload")
    }

    @Test func matchesFieldNamesCaseInsensitivelyAsConfdsTOMLDecoderDoes() throws {
        let text = "[Template]\nSRC = \"a.tmpl\"\nDest = \"/tmp/a\"\nKeys = [\"/a\"]\nUID = -1\n"
        let (resource, warnings) = try Resource.parse(text, file: "a.toml", templateDirectory: "/t")
        #expect(warnings.isEmpty)
        #expect(resource.source == "/t/a.tmpl")
        #expect(resource.dest == "/tmp/a")
        #expect(resource.keys == ["/a"])
        #expect(resource.uid == nil)
    }

    @Test func globalPrefixReplacesTheResourcesOwnAndKeysAreJoinedAsPaths() throws {
        let text =
            "[template]\nsrc = \"a.tmpl\"\ndest = \"/tmp/a\"\nkeys = [\"nginx/\", \"/x//y\"]\nprefix = \"/mine\"\n"
        let (resource, _) = try Resource.parse(text, file: "a.toml", templateDirectory: "/t", globalPrefix: "global")
        #expect(resource.prefix == "/global")
        #expect(resource.storeKeys == ["/global/nginx", "/global/x/y"])
        #expect(resource.templateKey("/global/nginx/a") == "/nginx/a")
        let (plain, _) = try Resource.parse(
            text.replacing("prefix = \"/mine\"\n", with: ""), file: "a.toml", templateDirectory: "/t")
        #expect(plain.prefix == "/")
        #expect(plain.templateKey("/nginx/a") == "/nginx/a")
    }

    @Test func warnsAboutUnknownKeysWithASuggestion() throws {
        let text = "[template]\nsrc = \"a.tmpl\"\ndest = \"/tmp/a\"\ncheckcmd = \"true\"\n"
        let (_, warnings) = try Resource.parse(text, file: "a.toml", templateDirectory: "/t")
        #expect(warnings == ["a.toml:4: unknown key 'checkcmd' in [template] (did you mean 'check_cmd'?); ignored"])
    }

    @Test(arguments: [
        ("[template]\ndest = \"/tmp/a\"\n", "cannot process template resource a.toml: empty src template"),
        (
            "[template]\nsrc = \"a\"\nkeys = \"/a\"\n",
            "cannot process template resource a.toml: a.toml:3: keys must be an array of strings"
        ),
        (
            "[template]\nsrc = \"a\"\nmode = 644\n",
            "cannot process template resource a.toml: a.toml:3: mode must be a string, not an integer"
        ),
        (
            "[template]\nsrc = \"a\n",
            "cannot process template resource a.toml: a.toml:2: unterminated string (a basic string ends on its line; use \"\"\" for several lines)"
        ),
    ])
    func reportsABrokenResourceFileOnOneLine(_ text: String, _ message: String) {
        do {
            _ = try Resource.parse(text, file: "a.toml", templateDirectory: "/t")
            Issue.record("parsed")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test(arguments: [
        ("0644", UInt32(0o644)), ("644", UInt32(0o1204) & 0o777), ("420", 0o644), ("0x1a4", 0o644), ("0o755", 0o755),
        ("04755", 0o755),
    ])
    func parsesModeAsGoParseUintWithBaseZero(_ text: String, _ mode: UInt32) {
        #expect(FileMode.parse(text) == mode)
    }

    @Test func refusesModesGoRefuses() {
        #expect(FileMode.parse("rw-r--r--") == nil)
        #expect(FileMode.parse("0999") == nil)
        #expect(FileMode.parse("") == nil)
    }

    @Test func findsResourceFilesRecursivelyInLexicalOrderMatchingStarToml() throws {
        let dir = try Confdir()
        defer { dir.remove() }
        for name in ["conf.d/b.toml", "conf.d/a/z.toml", "conf.d/c.txt", "conf.d/plaintoml", "conf.d/A.toml"] {
            try dir.write(name, "")
        }
        try FileManager.default.createDirectory(
            atPath: dir.path + "/conf.d/dir.toml", withIntermediateDirectories: true)
        let files = try ResourceDirectory.resourceFiles(in: dir.path + "/conf.d")
        #expect(
            files.map { String($0.dropFirst(dir.path.count + 8)) } == ["A.toml", "a/z.toml", "b.toml", "plaintoml"])
    }
}
