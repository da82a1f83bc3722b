import Proxy
import Testing

struct HostMatcherTests {
    @Test(arguments: [
        ("blog.example.com", "blog"),
        ("Blog.Example.COM", "blog"),
        ("blog.example.com:8080", "blog"),
        ("blog.example.com.", "blog"),
        ("my-app.example.com", "my-app"),
    ])
    func hostUnderTheDomainNamesItsApp(_ host: String, _ app: String) {
        #expect(HostMatcher(domain: "example.com").app(fromHost: host) == app)
    }

    @Test(arguments: [
        "example.com", "a.b.example.com", "blog.example.org", "blogexample.com", "[::1]:80", "blog.example.com:x",
        ".example.com", "",
    ])
    func hostOutsideTheDomainNamesNoApp(_ host: String) {
        #expect(HostMatcher(domain: "example.com").app(fromHost: host) == nil)
    }
}
