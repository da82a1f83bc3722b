import Foundation
import TestSupport
import Testing

/// The fleet/systemd units in units/: well-formed, scheduled as fleet documents, accepted by systemd, and
/// naming only flags our executables accept (each ExecStart runs through `--check-config`).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct UnitFileTests {
    /// fleet's documented [X-Fleet] options (fleet's Documentation/unit-files-and-scheduling.md).
    static let fleetOptions: Set<String> = [
        "MachineID", "MachineOf", "MachineMetadata", "Conflicts", "Global", "Replaces",
    ]

    /// What /etc/environment holds on a CoreOS node, for the simulated node 127.0.0.11.
    static let environment = [
        "COREOS_PUBLIC_IPV4": "127.0.0.11", "COREOS_PRIVATE_IPV4": "127.0.0.11", "ROUTER_DOMAIN": "example.com",
    ]

    @Test func theShippedUnitsAreTheFiveTheClusterNeeds() throws {
        #expect(
            try UnitFile.shipped().map(\.name) == [
                "example-app-announcer@.service", "example-app@.service", "router-nginx.service", "router.service",
                "switchboard-store.service",
            ])
    }

    @Test func everyUnitParsesWithADescriptionAnExecStartAndNodeAddressesFromEtcEnvironment() throws {
        for unit in try UnitFile.shipped() {
            #expect(unit.values("Unit", "Description").count == 1, "\(unit.name)")
            #expect(unit.values("Service", "ExecStart").count == 1, "\(unit.name)")
            #expect(unit.values("Service", "EnvironmentFile") == ["/etc/environment"], "\(unit.name)")
            #expect(Set(unit.sections).isSubset(of: ["Unit", "Service", "Install", "X-Fleet"]), "\(unit.name)")
        }
    }

    @Test func xFleetSectionsUseOnlyFleetsDocumentedOptions() throws {
        for unit in try UnitFile.shipped() {
            let keys = unit.entries.filter { $0.section == "X-Fleet" }.map(\.key)
            #expect(!keys.isEmpty, "\(unit.name) has no [X-Fleet] section")
            for key in keys {
                #expect(Self.fleetOptions.contains(key), "\(unit.name): unknown [X-Fleet] option \(key)")
            }
        }
    }

    @Test func routersRunOnEveryMachineAndTheAnnouncerFollowsItsApp() throws {
        let units = Dictionary(uniqueKeysWithValues: try UnitFile.shipped().map { ($0.name, $0) })
        for name in ["router.service", "router-nginx.service"] {
            #expect(units[name]?.values("X-Fleet", "Global") == ["true"], "\(name)")
        }
        let announcer = try #require(units["example-app-announcer@.service"])
        #expect(announcer.values("X-Fleet", "MachineOf") == ["example-app@%i.service"])
        #expect(announcer.values("Unit", "BindsTo") == ["example-app@%i.service"])
        #expect(announcer.values("Unit", "After") == ["example-app@%i.service"])
        #expect(units["example-app@.service"]?.values("X-Fleet", "Conflicts") == ["example-app@*.service"])
        #expect(
            try units["router.service"]?.execStart(instance: "", environment: Self.environment).prefix(2) == [
                "/usr/local/bin/router", "proxy",
            ])
        #expect(
            try units["router-nginx.service"]?.execStart(instance: "", environment: Self.environment).prefix(2) == [
                "/usr/local/bin/router", "sync",
            ])
    }

    @Test func everyExecStartOfOurExecutablesPassesCheckConfig() throws {
        let directory = try TemporaryDirectory("units")
        defer { directory.remove() }
        // router-nginx.service's install step copies the shipped templates/ (a confd confdir) to /etc/confd.
        let confdir = UnitFile.repositoryRoot + "/templates"
        var checked = 0
        for unit in try UnitFile.shipped() {
            var words = try unit.execStart(instance: "8080", environment: Self.environment)
            guard let program = words.first, program.hasPrefix("/usr/local/bin/") else { continue }
            let name = String(program.dropFirst("/usr/local/bin/".count))
            words = words.map { $0 == "/etc/confd" ? confdir : $0 }
            let process = try ChildProcess(
                BuiltProducts.path(name), Array(words.dropFirst()) + ["--check-config"],
                logPath: directory.file("\(unit.name).log"))
            defer { process.kill9() }
            let status = process.waitForExit(timeout: .seconds(20))
            let label = name == "router" ? "router \(words[1])" : name
            #expect(status == 0, "\(unit.name): \(words.joined(separator: " ")): \(process.output)")
            // Besides log lines (ts=...), at most the verdict: `router sync` says nothing when all is well.
            let verdict = process.output.split(separator: "\n").filter { !$0.hasPrefix("ts=") }
            #expect(verdict.allSatisfy { $0 == "\(label): configuration ok" }, "\(unit.name): \(process.output)")
            checked += 1
        }
        #expect(checked == 4)
    }

    @Test func checkConfigRefusesAFlagThatDoesNotExist() throws {
        let directory = try TemporaryDirectory("units")
        defer { directory.remove() }
        let store = try ChildProcess(
            BuiltProducts.path("router"),
            ["store", "--listen", "127.0.0.1:2379", "--data-dri", "/x", "--check-config"],
            logPath: directory.file("store.log"))
        defer { store.kill9() }
        #expect(store.waitForExit(timeout: .seconds(20)) == 2)
        #expect(store.output == "router store: unknown flag '--data-dri' (did you mean '--data-dir'?)\n")
        let announcer = try ChildProcess(
            BuiltProducts.path("announcer"), ["--app", "a", "--instance", "1", "--adress", "x:1", "--check-config"],
            logPath: directory.file("announcer.log"))
        defer { announcer.kill9() }
        #expect(announcer.waitForExit(timeout: .seconds(20)) == 2)
        #expect(announcer.output == "announcer: unknown flag '--adress' (did you mean '--address'?)\n")
    }

    @Test func systemdAnalyzeVerifyAcceptsEveryUnit() throws {
        let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        let tool = try #require(analyze, "systemd-analyze is missing: apt-get install systemd (scripts/test does)")
        let directory = try TemporaryDirectory("units-verify")
        defer { directory.remove() }
        // verify insists every ExecStart program exists: point /usr/local/bin at the binaries we built.
        let products = URL(fileURLWithPath: BuiltProducts.path("router")).deletingLastPathComponent().path
        for unit in try UnitFile.shipped() {
            let text = try String(contentsOfFile: UnitFile.repositoryRoot + "/units/" + unit.name, encoding: .utf8)
            try text.replacingOccurrences(of: "/usr/local/bin/", with: products + "/")
                .write(toFile: directory.file(unit.name), atomically: true, encoding: .utf8)
        }
        for unit in try UnitFile.shipped() {
            let instance = unit.name.replacingOccurrences(of: "@.service", with: "@8080.service")
            let process = try ChildProcess(
                tool, ["verify", "--man=no", directory.file(instance)], logPath: directory.file(instance + ".log"))
            defer { process.kill9() }
            #expect(process.waitForExit(timeout: .seconds(60)) == 0, "\(instance): \(process.output)")
            // Unknown keys are only warnings with status 0: the output must be empty too.
            #expect(process.output == "", "\(instance)")
        }
    }
}
