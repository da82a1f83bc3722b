import Templates
import Testing

/// Every `KeySnapshot` conformer answers these the same way.
struct KeySnapshotContractTests {
    static let conformers: [@Sendable ([String: String]) -> any KeySnapshot] = [{ SortedKeySnapshot($0) }]

    @Test(arguments: conformers)
    func keysUnderAPrefixAreAllAndOnlyThoseStartingWithIt(_ make: @Sendable ([String: String]) -> any KeySnapshot) {
        let keys = make(["/a/b": "1", "/a/c": "2", "/ab": "3", "/b": "4", "/a": "5", "/é/x": "6"])
        #expect(keys.keys(under: "/a/") == ["/a/b", "/a/c"])
        #expect(keys.keys(under: "/a") == ["/a", "/a/b", "/a/c", "/ab"])
        #expect(keys.keys(under: "") == ["/a", "/a/b", "/a/c", "/ab", "/b", "/é/x"])
        #expect(keys.keys(under: "/z").isEmpty)
        #expect(keys.keys(under: "/é") == ["/é/x"])
        #expect(keys.value(of: "/a") == "5")
        #expect(keys.value(of: "/a/") == nil)
    }

    @Test(arguments: conformers)
    func anEmptySnapshotHasNoKeys(_ make: @Sendable ([String: String]) -> any KeySnapshot) {
        let keys = make([:])
        #expect(keys.keys(under: "").isEmpty && keys.keys(under: "/").isEmpty && keys.value(of: "/") == nil)
    }

    @Test func emptyStoreGivesEmptyListsAndMissingKeyErrors() {
        #expect(
            render(#"{{ls "/"}}{{lsdir "/x"}}{{gets "/*"}}{{getvs "/*"}}{{exists "/a"}}{{gets "[/"}}"#, keys: [:])
                == "[][][][]false[]")
        #expect(
            failure(#"{{getv "/a"}}"#, keys: [:])
                == #"template: case.tmpl:1:2: executing "case.tmpl" at <getv "/a">: error calling getv: key does not exist: /a"#
        )
    }

    @Test func manyAppsListAndGetInKeyOrder() {
        var keys: [String: String] = [:]
        for app in 0..<50 { for n in 1...3 { keys["/services/web/app\(app)/app\(app)@\(n)"] = "10.0.\(app).\(n):80" } }
        let output = render(
            #"{{range lsdir "/services/web"}}{{.}}={{len (gets (printf "/services/web/%s/*" .))}},{{end}}"#, keys: keys)
        let expected = (0..<50).map { "app\($0)" }.sorted().map { "\($0)=3," }.joined()
        #expect(output == expected)
    }
}
