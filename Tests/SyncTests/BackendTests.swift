import Formats
import Foundation
import KV
import Sync
import Testing

struct BackendTests {
    @Test func etcdKeysSelectThemselvesAndWhatIsBelowThemNotSiblingsWithTheSamePrefix() async throws {
        let store = try MemoryStore.open(MemoryStore.Configuration(fsync: false))
        defer { store.close() }
        try await store.put("/services/web/app/app@1", "10.0.0.1:80")
        try await store.put("/services/web", "root")
        try await store.put("/services/webx/other", "no")
        try await store.put("/other", "no")
        let read = try await EtcdBackend(store: store).read(["/services/web"])
        #expect(read.pairs == ["/services/web/app/app@1": "10.0.0.1:80", "/services/web": "root"])
        #expect(read.revision == 5)
    }

    @Test func etcdWatchDeliversChangesAfterTheReadRevisionAndNothingBefore() async throws {
        let store = try MemoryStore.open(MemoryStore.Configuration(fsync: false))
        defer { store.close() }
        try await store.put("/services/web/a/a@1", "10.0.0.1:80")
        let backend = EtcdBackend(store: store)
        let read = try await backend.read(["/services/web"])
        try await store.put("/services/web/a/a@2", "10.0.0.2:80")
        try await store.put("/services/webx", "ignored")
        try await store.delete("/services/web/a/a@1")
        var iterator = backend.watch(["/services/web"], after: read.revision).makeAsyncIterator()
        var seen: [String] = []
        while seen.count < 2, let change = try await iterator.next() {
            if case .events(let events, _) = change { seen += events.map { "\($0.key)=\($0.value ?? "<deleted>")" } }
        }
        #expect(seen == ["/services/web/a/a@2=10.0.0.2:80", "/services/web/a/a@1=<deleted>"])
    }

    @Test func envBackendMapsKeysToVariablesAsConfdDoes() async throws {
        let backend = EnvBackend(environment: {
            [
                "SERVICES_WEB_APP": "10.0.0.1:80", "SERVICES_WEBX": "prefix-match", "OTHER": "no",
                "services_web_lower": "no",
            ]
        })
        let read = try await backend.read(["/services/web"])
        #expect(read.pairs == ["/services/web/app": "10.0.0.1:80", "/services/webx": "prefix-match"])
        #expect(EnvBackend.variablePrefix(of: "/services/web") == "SERVICES_WEB")
        #expect(EnvBackend.key(ofVariable: "MY_APP_PORT") == "/my/app/port")
    }

    @Test func fileBackendFlattensYAMLAsConfdDoes() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.write(
            "data.yaml",
            """
            services:
              web:
                app:
                  - 10.0.0.1:80
                  - host: 10.0.0.2
                    port: 80
                enabled: yes
                weight: 1.50
                big: 1e21
                none: ~
            other: x
            """)
        let read = try await FileBackend(paths: [dir.path + "/data.yaml"]).read(["/services/web"])
        #expect(
            read.pairs == [
                "/services/web/app/0": "10.0.0.1:80", "/services/web/app/1/host": "10.0.0.2",
                "/services/web/app/1/port": "80", "/services/web/enabled": "true", "/services/web/weight": "1.5",
                "/services/web/big": "1000000000000000000000",
            ])
    }

    @Test func fileBackendReadsJSONAndDirectoriesFilteredByName() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.write(
            "files/a.json", "{\n  \"services\": {\"web\": {\"n\": 3, \"f\": 0.25, \"list\": [true, null]}}\n}\n")
        try dir.write("files/b.yml", "services:\n  web:\n    other: 1\n")
        try dir.write("files/skip.txt", "services:\n  web:\n    skipped: 1\n")
        let backend = FileBackend(paths: [dir.path + "/files"], filter: "*.[jy]*")
        let read = try await backend.read(["/services"])
        #expect(
            read.pairs == [
                "/services/web/n": "3", "/services/web/f": "0.25", "/services/web/list/0": "true",
                "/services/web/other": "1",
            ])
    }

    @Test func fileBackendReportsAMalformedFileWithItsLine() async throws {
        let dir = try Confdir()
        defer { dir.remove() }
        try dir.write("bad.yaml", "a: 1\nb: [1, 2\n")
        let path = dir.path + "/bad.yaml"
        await #expect(throws: SyncError.read("\(path):2: unterminated flow sequence (missing ']')")) {
            try await FileBackend(paths: [path]).read(["/"])
        }
    }
}
