/// Where our error text knowingly differs from Go's (notes/templates-README.md lists these):
/// template recursion stops at depth 100 instead of Go's 100000.
enum KnownDifferences {
    static let execution: [String: String] = [
        #"{{define "x"}}{{template "x" .}}{{end}}{{template "x"}}"#:
            #"template: case.tmpl:1:25: executing "x" at <{{template "x" .}}>: exceeded maximum template depth (100)"#
    ]
    static let parse: [String: String] = [:]
}
