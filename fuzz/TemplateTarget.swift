import Foundation
import Templates

/// libFuzzer entry: the input is a store dump, one `key=value` per line (a line without `=` is a key
/// with an empty value). A fixed set of templates, written the way users write nginx templates, is
/// rendered over it, and the whole input is also parsed (and, if it parses, rendered) as a template.
/// Output or one `TemplateError` is fine; a trap, a stack overflow or a hang is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTemplates(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var pairs: [String: String] = [:]
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
        if let equals = line.firstIndex(of: "=") {
            pairs[String(line[..<equals])] = String(line[line.index(after: equals)...])
        } else {
            pairs[String(line)] = ""
        }
    }
    let functions = FunctionSet.confd(SortedKeySnapshot(pairs), environment: environment)
    for template in fixedTemplates {
        _ = try? template.render(functions: functions)
    }
    if let parsed = try? Template(name: "fuzz.tmpl", text: text) {
        _ = try? parsed.render(functions: functions)
    }
    return 0
}

/// No real environment, files, DNS or clock: the same input must always do the same thing.
private let environment = ConfdEnvironment(
    variable: { $0 == "HOSTNAME" ? "fuzz" : nil },
    fileExists: { $0 == "/" },
    lookupIP: { $0 == "localhost" ? ["127.0.0.1", "::1"] : [] },
    lookupSRV: { _, _, _ in [SRVRecord(target: "a.", port: 80, priority: 1, weight: 1)] },
    now: { Date(timeIntervalSince1970: 1_700_000_000) }
)

/// Every store and string function confd offers, fed values (and formats, patterns, indexes, counts)
/// read from the store, as a hostile or careless writer of store values could set them.
private let fixedTemplateTexts = [
    #"{{range gets "/app/*"}}{{.Key}}={{.Value}};{{end}}{{range getvs "/*/*"}}{{.}}{{end}}{{len (ls "/")}}"#,
    #"{{range $d := lsdir "/"}}{{$d}}:{{range ls (printf "/%s" $d)}}{{.}},{{end}}{{end}}"#,
    #"{{range gets (getv "/pattern" "/*")}}{{.Key}}{{end}}{{range getvs (getv "/pattern" "/*")}}{{.}}{{end}}"#,
    #"{{range ls (getv "/dir" "/")}}{{.}}{{end}}{{range lsdir (getv "/dir" "/")}}{{.}}{{end}}{{exists (getv "/dir" "/")}}"#,
    #"{{with $m := json (getv "/json" "{}")}}{{range $k, $v := $m}}{{$k}}={{$v}};{{end}}{{index $m "k"}}{{end}}"#,
    #"{{range $i, $x := jsonArray (getv "/array" "[]")}}{{$i}}={{$x}}|{{printf "%v %T" $x $x}}{{end}}"#,
    #"{{printf (getv "/format" "%s") (getv "/a" "") (atoi (getv "/n" "0")) 1.5 true (json (getv "/json" "{}"))}}"#,
    #"{{$n := atoi (getv "/n" "0")}}{{$m := atoi (getv "/m" "1")}}{{add $n $m}} {{sub $n $m}} {{mul $n $m}} {{div $n $m}} {{mod $n $m}}"#,
    #"{{range seq (atoi (getv "/from" "1")) (atoi (getv "/to" "3"))}}{{.}},{{end}}"#,
    #"{{range split (getv "/csv" "a,b") (getv "/sep" ",")}}[{{.}}]{{end}}{{join (split (getv "/csv" "") (getv "/sep" "")) "+"}}"#,
    #"{{base64Decode (getv "/b64" "")}} {{base64Encode (getv "/a" "")}} {{toUpper (getv "/a" "")}} {{toLower (getv "/a" "")}}"#,
    #"{{replace (getv "/a" "") (getv "/old" "x") (getv "/new" "y") (atoi (getv "/n" "-1"))}} {{trimSuffix (getv "/a" "") (getv "/sep" "")}} {{contains (getv "/a" "") (getv "/sep" "")}}"#,
    #"{{base (getv "/path" "/")}} {{dir (getv "/path" "/")}} {{parseBool (getv "/bool" "true")}} {{getenv (getv "/a" "HOSTNAME") "x"}}"#,
    #"{{range sortByLength (ls "/")}}{{.}}{{end}}{{range sortKVByLength (gets "/*")}}{{.Key}}{{end}}{{range reverse (getvs "/*")}}{{.}}{{end}}"#,
    #"{{html (getv "/a" "")}}{{js (getv "/a" "")}}{{urlquery (getv "/a" "")}}{{print (getv "/a" "") 1 2.5 nil}}{{println (getv "/b" "")}}"#,
    #"{{index (split (getv "/csv" "a") ",") (atoi (getv "/n" "0"))}}{{slice (getv "/a" "abc") (atoi (getv "/from" "0")) (atoi (getv "/to" "1"))}}"#,
    #"{{if lt (getv "/a" "") (getv "/b" "")}}lt{{else if eq (getv "/a" "") (getv "/b" "")}}eq{{else}}gt{{end}}{{(get "/a").Value}}"#,
    #"{{$j := json (getv "/json" "{}")}}{{index $j (getv "/a" "k")}}{{range $k, $v := $j}}{{range $v}}{{.}}{{end}}{{end}}"#,
    #"{{lookupIP (getv "/host" "localhost")}}{{fileExists (getv "/path" "/")}}{{range lookupSRV "a" "b" (getv "/a" "")}}{{.Port}}{{end}}"#,
    #"{{printf "%*d|%.*f|%-*s" (atoi (getv "/n" "3")) 7 (atoi (getv "/m" "2")) 3.14159 (atoi (getv "/n" "3")) (getv "/a" "")}}"#,
    #"{{printf (printf "%%%s" (getv "/verb" "d")) (atoi (getv "/n" "0"))}}{{printf "%s" (datetime)}}"#,
]

private let fixedTemplates: [Template] = fixedTemplateTexts.enumerated().map { index, text in
    do {
        return try Template(name: "fixed\(index).tmpl", text: text)
    } catch {
        fatalError("fixed template \(index) does not parse: \(error)")
    }
}
