import Templates
import Testing

/// The examples of confd's docs/templates.md, with the output the docs show.
struct ConfdDocsExampleTests {
    @Test func nginxExampleFromTheDocs() {
        let keys = [
            "/nginx/domain": "example.com", "/nginx/root": "/var/www/example_dotcom", "/nginx/worker_processes": "2",
            "/app/upstream/app1": "10.0.1.100:80", "/app/upstream/app2": "10.0.1.101:80",
        ]
        let text = """
            worker_processes {{getv "/nginx/worker_processes"}};

            upstream app {
            {{range getvs "/app/upstream/*"}}
                server {{.}};
            {{end}}
            }
            server_name www.{{getv "/nginx/domain"}}; root {{getv "/nginx/root"}};
            """
        #expect(
            render(text, keys: keys) == """
                worker_processes 2;

                upstream app {

                    server 10.0.1.100:80;

                    server 10.0.1.101:80;

                }
                server_name www.example.com; root /var/www/example_dotcom;
                """)
    }

    @Test func complexNestedIterationExample() {
        let keys = [
            "/services/web/cust1/2": #"{"IP": "10.0.0.2"}"#, "/services/web/cust2/2": #"{"IP": "10.0.0.4"}"#,
            "/services/web/cust2/1": #"{"IP": "10.0.0.3"}"#, "/services/web/cust1/1": #"{"IP": "10.0.0.1"}"#,
        ]
        let text = """
            {{range $dir := lsdir "/services/web"}}
            upstream {{base $dir}} {
                {{$custdir := printf "/services/web/%s/*" $dir}}{{range gets $custdir}}
                server {{$data := json .Value}}{{$data.IP}}:80;
                {{end}}
            }
            {{end}}
            """
        #expect(
            render(text, keys: keys) == """

                upstream cust1 {
                    
                    server 10.0.0.1:80;
                    
                    server 10.0.0.2:80;
                    
                }

                upstream cust2 {
                    
                    server 10.0.0.3:80;
                    
                    server 10.0.0.4:80;
                    
                }

                """)
    }

    @Test(arguments: [
        (
            #"{{$endpoint := map "name" "elasticsearch" "private_port" 9200 "public_port" 443}}name: {{index $endpoint "name"}} private-port: {{index $endpoint "private_port"}} public-port: {{index $endpoint "public_port"}}"#,
            "name: elasticsearch private-port: 9200 public-port: 443"
        ),
        (#"{{with get "/key"}}key: {{base .Key}} value: {{.Value}}{{end}}"#, "key: key value: v"),
        (#"{{if exists "/key"}}value: {{getv "/key"}}{{end}}"#, "value: v"),
        (#"value: {{getv "/nokey" "default_value"}}"#, "value: default_value"),
        (
            #"{{ $url := split (getv "/deis/service") ":" }}host: {{index $url 0}} port: {{index $url 1}}"#,
            "host: 10.0.0.1 port: 8000"
        ),
        (#"key: {{toUpper "value"}} {{toLower "Value"}}"#, "key: VALUE value"),
        (#"key: {{base64Encode "Value"}} {{base64Decode "VmFsdWU="}}"#, "key: VmFsdWU= Value"),
        (
            #"{{range gets "/services/zookeeper/*"}}{{$data := json .Value}}id: {{$data.Id}} ip: {{$data.IP}};{{end}}"#,
            "id: host1 ip: 192.168.10.11;id: host2 ip: 192.168.10.12;"
        ),
        (
            #"{{$data := json (getv "/test/data")}}type: {{ (index $data.animals 1).type }} name: {{ (index $data.animals 1).name }}{{range $data.animals}} {{.name}}{{end}}"#,
            "type: cat name: Misse Fido Misse"
        ),
        (#"{{range jsonArray (getv "/services/data")}}val: {{.}} {{end}}"#, "val: a val: b val: c "),
        (
            #"{{range ls "/deis/services"}}value: {{.}} {{end}}|{{range lsdir "/deis/services"}}value: {{.}} {{end}}"#,
            "value: a value: b |value: b "
        ),
        (#"{{with dir "/services/data/url"}}dir: {{.}}{{end}}"#, "dir: /services/data"),
        (
            #"{{$services := getvs "/services/elasticsearch/*"}}services: {{join $services ","}}"#,
            "services: es1:9200,es2:9200"
        ),
        (
            #"{{$backend := getv "/services/backend/nginx"}}backend = {{replace $backend "-" "_" -1}}"#,
            "backend = my_backend_1"
        ),
        (
            #"{{range seq 1 3}}{{.}}{{end}} {{atoi "12"}} {{add 1 2}} {{parseBool "true"}} {{trimSuffix "a.conf" ".conf"}}"#,
            "123 12 3 true a"
        ),
        (
            #"{{range sortByLength (split "ccc a bb" " ")}}{{.}} {{end}}{{range sortKVByLength (gets "/deis/services/*")}}{{.Key}} {{end}}"#,
            "a bb ccc /deis/services/a "
        ),
        (#"{{range reverse (getvs "/services/elasticsearch/*")}}{{.}} {{end}}"#, "es2:9200 es1:9200 "),
    ])
    func documentedFunctionExamples(_ text: String, _ expected: String) {
        let keys = [
            "/key": "v", "/deis/service": "10.0.0.1:8000",
            "/services/zookeeper/host1": #"{"Id":"host1", "IP":"192.168.10.11"}"#,
            "/services/zookeeper/host2": #"{"Id":"host2", "IP":"192.168.10.12"}"#,
            "/test/data": #"{"animals": [{"type": "dog", "name": "Fido"}, {"type": "cat", "name": "Misse"}]}"#,
            "/services/data": #"["a", "b", "c"]"#, "/deis/services/a": "1", "/deis/services/b/x": "2",
            "/services/data/url": "u", "/services/elasticsearch/1": "es1:9200", "/services/elasticsearch/2": "es2:9200",
            "/services/backend/nginx": "my-backend-1",
        ]
        #expect(render(text, keys: keys) == expected)
    }
}
