import Foundation
import Router
import TestSupport
import Testing

/// `router render` knows the injection guard, so the shipped nginx template can be debugged with it.
struct RenderShippedTemplateTests {
    private static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "templates/templates/nginx.tmpl")

    @Test func theShippedTemplateRendersAndSkipsHostileValues() throws {
        let (dir, _, kv) = try renderFiles(
            template: "",
            kv: #"""
                {"/services/web/app/app@1": "127.0.0.1:3000",
                 "/services/web/app/app@2": "127.0.0.1:1; } server { listen 127.0.0.1:1",
                 "/services/web/bad;name/x@1": "127.0.0.1:4000"}
                """#)
        defer { dir.remove() }
        let result = RenderCommand.render(templatePath: Self.shipped.path, kvPath: kv)
        guard case .success(let output) = result else {
            Issue.record("render failed: \(result)")
            return
        }
        #expect(output.contains("upstream app {\n    server 127.0.0.1:3000;\n    keepalive 512;\n}"))
        #expect(output.contains("server_name app.localhost;"))
        #expect(!output.contains("127.0.0.1:1"))
        #expect(!output.contains("bad;name"))
    }
}
