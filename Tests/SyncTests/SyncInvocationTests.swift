import Foundation
import Platform
import Sync
import Testing

struct SyncInvocationTests {
    @Test func readsDesignsSpellings() throws {
        let invocation = try SyncInvocation.parse(
            [
                "--confdir", "/c", "--watch", "--noop", "--sync-only", "--store", "http://127.0.0.1:2379", "--store",
                "http://127.0.0.1:2380", "--prefix", "/p", "--wait", "5ms:1s", "--keep-stage-file", "--metrics",
                "127.0.0.1:9102", "--log-level", "debug",
            ], environment: [:])
        #expect(invocation.configuration.confDirectory == "/c")
        #expect(invocation.configuration.mode == .watch)
        #expect(invocation.configuration.options.noop && invocation.configuration.options.syncOnly)
        #expect(invocation.configuration.options.keepStageFile)
        #expect(invocation.backend == .etcd(endpoints: ["http://127.0.0.1:2379", "http://127.0.0.1:2380"]))
        #expect(invocation.configuration.prefix == "/p")
        #expect(invocation.configuration.waitMinimum == .milliseconds(5))
        #expect(invocation.configuration.waitMaximum == .seconds(1))
        #expect(invocation.metricsAddress == "127.0.0.1:9102")
        #expect(invocation.logLevel == .debug)
    }

    @Test func readsConfdsSingleDashSpellings() throws {
        let invocation = try SyncInvocation.parse(
            [
                "-confdir", "/c", "-onetime", "-node", "127.0.0.1:4001", "-node", "127.0.0.1:4002", "-backend",
                "etcdv3", "-prefix", "p", "-log-level", "warn", "-keep-stage-file", "-interval", "5", "-noop",
                "-sync-only",
            ], environment: [:])
        #expect(invocation.configuration.mode == .onetime)
        #expect(invocation.backend == .etcd(endpoints: ["127.0.0.1:4001", "127.0.0.1:4002"]))
        #expect(invocation.configuration.prefix == "p")
        #expect(invocation.logLevel == .warning)
        let file = try SyncInvocation.parse(
            ["-backend", "file", "-file", "/a.yaml", "-file", "/b.yaml"], environment: [:])
        #expect(file.backend == .file(paths: ["/a.yaml", "/b.yaml"], filter: "*"))
        let interval = try SyncInvocation.parse(["-interval", "30", "-backend", "env"], environment: [:])
        #expect(interval.configuration.mode == .interval(.seconds(30)))
        #expect(interval.backend == .env)
    }

    @Test func defaultsFollowConfdWithEtcdctlPeersHonoured() throws {
        let plain = try SyncInvocation.parse([], environment: [:])
        #expect(plain.configuration.confDirectory == "/etc/confd")
        #expect(plain.configuration.mode == .interval(.seconds(600)))
        #expect(plain.backend == .etcd(endpoints: ["http://127.0.0.1:2379"]))
        let peers = try SyncInvocation.parse(
            [], environment: ["ETCDCTL_PEERS": "http://10.0.0.1:2379,http://10.0.0.2:2379"])
        #expect(peers.backend == .etcd(endpoints: ["http://10.0.0.1:2379", "http://10.0.0.2:2379"]))
    }

    @Test func readsConfdTomlWithFlagsWinning() throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.write(
            "confd.toml",
            """
            confdir = "/from/file"
            backend = "etcd"
            nodes = ["http://127.0.0.1:4001"]
            prefix = "/file"
            watch = true
            log-level = "debug"
            sync-only = true
            interval = 10
            auth_token = "ignored"
            """)
        let invocation = try SyncInvocation.parse(
            ["-config-file", dir.path + "/confd.toml", "-prefix", "/flag"], environment: [:])
        #expect(invocation.configuration.confDirectory == "/from/file")
        #expect(invocation.backend == .etcd(endpoints: ["http://127.0.0.1:4001"]))
        #expect(invocation.configuration.prefix == "/flag")
        #expect(invocation.configuration.mode == .watch)
        #expect(invocation.configuration.options.syncOnly)
        #expect(invocation.logLevel == .debug)
    }

    @Test(arguments: [
        (["--bogus"], "unknown flag '--bogus'"),
        (["--interval", "0"], "flag --interval: '0' is not a whole number of seconds above 0"),
        (["--backend", "consul"], "flag --backend: 'consul' is not one of etcd, etcdv3, env, file"),
        (["--backend", "file"], "backend file needs --file PATH"),
        (["--wait", "1s:5ms"], "flag --wait: '1s:5ms' is not MIN:MAX with MIN <= MAX (for example 2ms:200ms)"),
        (["--wait", "soon"], "flag --wait: 'soon' is not MIN:MAX (for example 2ms:200ms)"),
        (["--metrics", "0.0.0.0:9102"], "flag --metrics: '0.0.0.0:9102' is not a loopback address"),
        (["--log-level", "loud"], "flag --log-level: 'loud' is not one of trace, debug, info, warning, error"),
        (["extra"], "unexpected argument 'extra'"),
    ])
    func refusesBadFlagsWithOneLine(_ arguments: [String], _ message: String) {
        do {
            _ = try SyncInvocation.parse(arguments, environment: [:])
            Issue.record("parsed \(arguments)")
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func reportsABrokenConfdTomlWithItsLine() throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.write("confd.toml", "watch = true\ninterval = \"5\"\n")
        #expect(
            throws: UsageError(
                "config file \(dir.path)/confd.toml:2: interval must be a whole number of seconds above 0")
        ) {
            try SyncInvocation.parse(["-config-file", dir.path + "/confd.toml"], environment: [:])
        }
    }
}
