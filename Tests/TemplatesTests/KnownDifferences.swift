/// Where our error text knowingly differs from Go's (docs/templates.md lists these): the
/// output of every successful render is identical; only some error positions differ, and
/// template recursion stops at depth 100 instead of Go's 100000.
enum KnownDifferences {
    static let execution: [String: String] = [
        #"{{define "x"}}{{template "x" .}}{{end}}{{template "x"}}"#:
            #"template: case.tmpl:1:25: executing "x" at <{{template "x" .}}>: exceeded maximum template depth (100)"#,
        #"{{$m := map "a" 1}}{{$m.a 1}}"#:
            #"template: case.tmpl:1:21: executing "case.tmpl" at <$m.a>: a is not a method but has arguments"#,
        #"{{(get "/a").Key 1}}"#:
            #"template: case.tmpl:1:12: executing "case.tmpl" at <(get "/a").Key>: Key has arguments but cannot be invoked as function"#,
        #"{{join (jsonArray "[1]") ","}}"#:
            #"template: case.tmpl:1:8: executing "case.tmpl" at <(jsonArray "[1]")>: wrong type for value; expected []string; got []interface {}"#,
    ]
    static let parse: [String: String] = [:]
}
