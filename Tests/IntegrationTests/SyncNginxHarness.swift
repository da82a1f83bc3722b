import Foundation
import HTTP
import KV
import KVTestSupport
import Platform
import TestSupport

/// Real nginx under its own prefix on a free loopback port, the shipped template and resource, app
/// instances (tiny HTTP servers answering their name), a store, and `router sync --watch` between them.
/// Everything it starts is stopped by PID in `stop()`.
final class SyncNginxHarness: Sendable {
    enum Store: Sendable {
        case router(ChildProcess, port: Int, dataDir: String)
        case etcd(EtcdCluster)
    }

    let root: TemporaryDirectory
    let nginxPort: Int
    let metricsPort = FreePort.next()
    let domain = "test.local"
    let store: Locked<Store>
    let storeURL: String
    let client: EtcdClient
    let nginx: ChildProcess
    let sync: Locked<ChildProcess?> = Locked(nil)
    let apps: Locked<[HTTPServer]> = Locked([])

    var nginxDirectory: String { root.file("nginx") }
    var dest: String { root.file("nginx/conf.d/apps.conf") }
    var reloadsFile: String { root.file("reloads") }
    var syncLog: String { sync.withLock { $0 }?.output ?? "" }
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    init(_ target: StoreUnderTest) async throws {
        root = try TemporaryDirectory("sync-nginx")
        nginxPort = FreePort.next()
        switch target {
        case .routerStore:
            let port = FreePort.next()
            let dataDir = root.file("store")
            store = Locked(
                .router(
                    try Self.startRouterStore(port: port, dataDir: dataDir, log: root.file("store.log")), port: port,
                    dataDir: dataDir))
            storeURL = "http://127.0.0.1:\(port)"
        case .etcd:
            let cluster = try await EtcdCluster(size: 1)
            store = Locked(.etcd(cluster))
            storeURL = cluster.endpoints[0]
        }
        var configuration = EtcdClient.Configuration(endpoints: try EtcdClient.endpoints(from: [storeURL]))
        configuration.requestTimeout = .seconds(5)
        client = try EtcdClient(configuration: configuration, log: Log(component: "test", level: .error))
        try await Self.waitForStore(client, storeURL)
        for dir in ["nginx/conf.d", "nginx/tmp", "confd/conf.d"] {
            try FileManager.default.createDirectory(atPath: root.file(dir), withIntermediateDirectories: true)
        }
        let n = root.file("nginx")
        try Data(
            """
            worker_processes 1;
            pid \(n)/nginx.pid;
            error_log \(n)/error.log;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path \(n)/tmp/body;
                proxy_temp_path \(n)/tmp/proxy;
                fastcgi_temp_path \(n)/tmp/fastcgi;
                uwsgi_temp_path \(n)/tmp/uwsgi;
                scgi_temp_path \(n)/tmp/scgi;
                server { listen 127.0.0.1:\(nginxPort) default_server; return 404; }
                include \(n)/conf.d/*.conf;
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: n + "/nginx.conf"))
        nginx = try ChildProcess(
            "/usr/sbin/nginx", ["-p", n, "-c", n + "/nginx.conf", "-g", "daemon off;"], logPath: root.file("nginx.log"))
        // The shipped confdir, with dest and the check pointed at this nginx.
        let shipped = try String(contentsOfFile: Self.repository + "/templates/conf.d/nginx.toml", encoding: .utf8)
        let resource =
            shipped
            .replacing("/etc/nginx/conf.d/apps.conf", with: dest)
            .replacing("/etc/nginx/nginx.conf", with: n + "/nginx.conf")
            .replacing("/etc/confd/nginx-check-staged", with: Self.repository + "/templates/nginx-check-staged")
            .replacing(
                "reload_cmd = \"nginx -s reload\"",
                with:
                    "reload_cmd = \"echo reload >> \(reloadsFile) && /usr/sbin/nginx -p \(n) -c \(n)/nginx.conf -s reload\""
            )
        try Data(resource.utf8).write(to: URL(fileURLWithPath: root.file("confd/conf.d/nginx.toml")))
        try FileManager.default.createSymbolicLink(
            atPath: root.file("confd/templates"), withDestinationPath: Self.repository + "/templates/templates")
    }

    /// Waits until the store answers a read.
    static func waitForStore(_ client: EtcdClient, _ storeURL: String) async throws {
        guard await eventually(timeout: .seconds(20), { (try? await client.list(prefix: "/services/")) != nil }) else {
            throw TestSupportError("store at \(storeURL) did not come up")
        }
    }

    static func startRouterStore(port: Int, dataDir: String, log: String) throws -> ChildProcess {
        try ChildProcess(
            BuiltProducts.path("router"), ["store", "--listen", "127.0.0.1:\(port)", "--data-dir", dataDir],
            logPath: log)
    }

    /// Starts `router sync --watch` on the confdir.
    func startSync() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["ROUTER_DOMAIN"] = domain
        environment["ROUTER_NGINX_LISTEN"] = "127.0.0.1:\(nginxPort)"
        let process = try ChildProcess(
            BuiltProducts.path("router"),
            [
                "sync", "--confdir", root.file("confd"), "--watch", "--store", storeURL, "--log-level", "debug",
                "--metrics", "127.0.0.1:\(metricsPort)",
            ],
            logPath: root.file("sync.log"), environment: environment)
        sync.withLock { $0 = process }
    }

    /// Starts an app instance answering `name` on a free port; returns its `HOST:PORT`.
    func startInstance(_ name: String) throws -> String {
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.threads = 1
        let server = HTTPServer(
            configuration: configuration, handler: Answer(name: name), log: Log(component: "app", level: .error))
        let port = try server.start()
        apps.withLock { $0.append(server) }
        return "127.0.0.1:\(port)"
    }

    /// `curl -H 'Host: <app>.<domain>' http://127.0.0.1:<nginx>/`: the body, or nil when it failed.
    func get(_ app: String) -> String? {
        guard let connection = try? RawConnection(port: nginxPort, timeout: .seconds(2)) else { return nil }
        connection.send("GET / HTTP/1.1\r\nHost: \(app).\(domain)\r\nConnection: close\r\n\r\n")
        let response = connection.readAll()
        guard response.hasPrefix("HTTP/1.1 200"), let split = response.range(of: "\r\n\r\n") else { return nil }
        return String(response[split.upperBound...])
    }

    /// `GET /metrics` from router sync.
    func metrics() -> String {
        guard let connection = try? RawConnection(port: metricsPort, timeout: .seconds(2)) else { return "" }
        connection.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return connection.readAll()
    }

    /// The distinct answers of `count` requests.
    func answers(_ app: String, count: Int = 12) -> Set<String> {
        Set((0..<count).map { _ in get(app) ?? "<failed>" })
    }

    func stopStore() {
        switch store.withLock({ $0 }) {
        case .router(let process, _, _): process.stop()
        case .etcd(let cluster): cluster.kill(0)
        }
    }

    func restartStore() async throws {
        switch store.withLock({ $0 }) {
        case .router(_, let port, let dataDir):
            let process = try Self.startRouterStore(port: port, dataDir: dataDir, log: root.file("store.log"))
            store.withLock { $0 = .router(process, port: port, dataDir: dataDir) }
        case .etcd(let cluster):
            try await cluster.restart(0)
        }
        try await Self.waitForStore(client, storeURL)
    }

    var reloads: Int {
        ((try? String(contentsOfFile: reloadsFile, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    func stop() {
        sync.withLock { $0 }?.stop()
        nginx.stop()
        client.close()
        for app in apps.withLock({ $0 }) { app.stop() }
        switch store.withLock({ $0 }) {
        case .router(let process, _, _): process.stop()
        case .etcd(let cluster): cluster.stop()
        }
        root.remove()
    }
}

private struct Answer: HTTPHandler {
    let name: String
    func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        responder.respond(HTTPResponse(status: 200, body: Array(name.utf8)))
    }
}
