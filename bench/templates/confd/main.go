// confd-render renders a template the way confd does (Go text/template, confd's
// functions, memkv's scan-every-key store), for conformance checks and the benchmark.
//
//	confd-render render TEMPLATE KV.json          print the output, or the error (exit 1)
//	confd-render bench  TEMPLATE KV.json SECONDS  time renders, print mean/best ns per render
//	confd-render gen    APPS INSTANCES OUT.json   write /services/web/<app>/<app>@<n> keys
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"text/template"
	"time"
)

func load(tmplPath, kvPath string) (*template.Template, *Store) {
	raw, err := os.ReadFile(kvPath)
	if err != nil {
		fail(err)
	}
	pairs := map[string]string{}
	if err := json.Unmarshal(raw, &pairs); err != nil {
		fail(err)
	}
	store := newStore(pairs)
	funcs := newFuncMap()
	addFuncs(funcs, store.FuncMap)
	tmpl, err := template.New(filepath.Base(tmplPath)).Funcs(funcs).ParseFiles(tmplPath)
	if err != nil {
		fail(err)
	}
	return tmpl, store
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func main() {
	if len(os.Args) == 5 && os.Args[1] == "gen" {
		generate(os.Args[2], os.Args[3], os.Args[4])
		return
	}
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: confd-render render|bench TEMPLATE KV.json [SECONDS]")
		os.Exit(2)
	}
	tmpl, _ := load(os.Args[2], os.Args[3])
	switch os.Args[1] {
	case "render":
		var out bytes.Buffer
		if err := tmpl.Execute(&out, nil); err != nil {
			fail(err)
		}
		os.Stdout.Write(out.Bytes())
	case "bench":
		seconds := 3.0
		if len(os.Args) > 4 {
			seconds, _ = strconv.ParseFloat(os.Args[4], 64)
		}
		var out bytes.Buffer
		var times []time.Duration
		deadline := time.Now().Add(time.Duration(seconds * float64(time.Second)))
		for len(times) < 3 || time.Now().Before(deadline) {
			out.Reset()
			start := time.Now()
			if err := tmpl.Execute(&out, nil); err != nil {
				fail(err)
			}
			times = append(times, time.Since(start))
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		var total time.Duration
		for _, t := range times {
			total += t
		}
		fmt.Printf("renders %d\nmedian_ns %d\nmean_ns %d\nbest_ns %d\nbytes %d\n", len(times), int64(times[len(times)/2]),
			int64(total)/int64(len(times)), int64(times[0]), out.Len())
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
}

func generate(appsText, instancesText, out string) {
	apps, _ := strconv.Atoi(appsText)
	instances, _ := strconv.Atoi(instancesText)
	pairs := map[string]string{}
	for a := 0; a < apps; a++ {
		app := fmt.Sprintf("app%04d", a)
		for n := 1; n <= instances; n++ {
			port := 8080
			if n%3 == 0 {
				port = 9000 + n
			}
			pairs[fmt.Sprintf("/services/web/%s/%s@%d", app, app, n)] = fmt.Sprintf("10.%d.%d.%d:%d", a/250, a%250, n, port)
		}
	}
	data, _ := json.Marshal(pairs)
	if err := os.WriteFile(out, data, 0o644); err != nil {
		fail(err)
	}
}
