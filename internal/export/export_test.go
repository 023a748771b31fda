package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/internal/secrets"
	"github.com/kriscelmer/os-tui/tools"
)

// schemaOf is a tool schema with the given properties (JSON) and
// required names.
func schemaOf(name, props, required string) string {
	if required != "" {
		required = `, "required": [` + required + `]`
	}
	return `{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://ostui.test/` + name + `.schema.json",
	"description": "` + name + `", "type": "object", "additionalProperties": false, "properties": {` + props + `}` + required + `}`
}

func testRegistry(t *testing.T) *tools.Registry {
	t.Helper()
	run := func(context.Context, *tools.Env, tools.Args) (*tools.Result, error) { return nil, nil }
	specs := []struct{ name, props, required string }{
		{"server.list", `"all_projects": {"type": "boolean"}, "name": {"type": "string"}`, ""},
		{"server.show", `"server": {"type": "string"}`, `"server"`},
		{"network.list", `"project": {"type": "string"}`, ""},
		{"volume.backup.list", `"all_projects": {"type": "boolean"}`, ""},
		{"loadbalancer.member.list", `"pool": {"type": "string"}`, `"pool"`},
		{"security-group.rule.list", `"group": {"type": "string"}`, ""},
	}
	fsys := fstest.MapFS{}
	var list []tools.Tool
	for _, s := range specs {
		fsys[s.name+".schema.json"] = &fstest.MapFile{Data: []byte(schemaOf(s.name, s.props, s.required))}
		list = append(list, tools.Tool{Name: s.name, Effect: tools.Read, Service: "compute", Run: run})
	}
	reg, err := tools.NewRegistry(fsys, "https://ostui.test/", list)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestTypes(t *testing.T) {
	types, left := Types(testRegistry(t))
	// in the registry's order (by name)
	want := []Type{
		{Name: "network", Tool: "network.list"},
		{Name: "security-group.rule", Tool: "security-group.rule.list"},
		{Name: "server", Tool: "server.list", AllProjects: true},
		{Name: "volume.backup", Tool: "volume.backup.list", AllProjects: true},
	}
	if d := cmp.Diff(want, types); d != "" {
		t.Errorf("types (-want +got):\n%s", d)
	}
	wantLeft := []Left{{Tool: "loadbalancer.member.list", Why: "lists the children of one parent (needs --pool)"}}
	if d := cmp.Diff(wantLeft, left); d != "" {
		t.Errorf("left out (-want +got):\n%s", d)
	}
}

func TestSelect(t *testing.T) {
	all, _ := Types(testRegistry(t))
	tests := []struct {
		names   []string
		want    []string
		wantErr string
	}{
		{names: nil, want: []string{"network", "security-group.rule", "server", "volume.backup"}},
		{names: []string{"server"}, want: []string{"server"}},
		{names: []string{"servers", "networks"}, want: []string{"network", "server"}},
		{names: []string{"volume-backup"}, want: []string{"volume.backup"}},
		{names: []string{"Volume Backups"}, want: []string{"volume.backup"}},
		{names: []string{"security_group.rule"}, want: []string{"security-group.rule"}},
		{names: []string{"flavor"}, wantErr: `no resource type "flavor"; the types are network, security-group.rule, server, volume.backup`},
		{names: []string{" "}, wantErr: "--resources names no type"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.names, ","), func(t *testing.T) {
			got, err := Select(all, tc.names)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, Names(got)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// statusErr is an HTTP error as gophercloud reports one.
type statusErr int

func (e statusErr) Error() string      { return fmt.Sprintf("HTTP %d", int(e)) }
func (e statusErr) GetStatusCode() int { return int(e) }

// fakePager answers each tool with its pages, or its error after them.
// The export reads several types at once, so it records under a lock.
type fakePager struct {
	pages map[string][][][]any
	cols  map[string][]tools.Column
	errs  map[string]error
	mu    sync.Mutex
	args  map[string]map[string]any
}

func (f *fakePager) pager(_ context.Context, tool string, args map[string]any, page PageFunc) error {
	f.mu.Lock()
	if f.args == nil {
		f.args = map[string]map[string]any{}
	}
	f.args[tool] = args
	f.mu.Unlock()
	for _, p := range f.pages[tool] {
		if err := page(f.cols[tool], p); err != nil {
			return err
		}
	}
	return f.errs[tool]
}

func TestRun(t *testing.T) {
	types := []Type{
		{Name: "server", Tool: "server.list", AllProjects: true},
		{Name: "network", Tool: "network.list"},
		{Name: "loadbalancer", Tool: "loadbalancer.list"},
		{Name: "trunk", Tool: "trunk.list"},
		{Name: "volume", Tool: "volume.list", AllProjects: true},
	}
	idName := []tools.Column{{Name: "ID"}, {Name: "Name"}}
	f := &fakePager{
		cols: map[string][]tools.Column{"server.list": idName, "network.list": idName, "volume.list": idName},
		pages: map[string][][][]any{
			"server.list":  {{{"s1", "web-1"}, {"s2", "web-2"}}, {{"s3", "db-1"}}},
			"network.list": {{{"n1", "private"}}},
			"volume.list":  {{{"v1", "data"}}},
		},
		errs: map[string]error{
			"network.list":      statusErr(403),
			"loadbalancer.list": &gate.ServiceMissingError{Tool: &tools.Tool{Name: "loadbalancer.list"}, Service: "load-balancer"},
			"trunk.list":        &tools.NotOfferedError{Msg: "no trunk extension"},
			"volume.list":       errors.New("timeout\nmore detail"),
		},
	}
	var buf bytes.Buffer
	w := JSONLines(&buf)
	var progress []Progress
	out, err := Run(t.Context(), f.pager, w, Options{Types: types, AllProjects: true, Progress: func(p Progress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	type short struct {
		Type  string
		Rows  int
		State State
		Why   string
		Fail  bool
	}
	var got []short
	for _, o := range out {
		got = append(got, short{o.Type.Name, o.Rows, o.State, o.Why, o.Failed()})
	}
	want := []short{
		{"server", 3, Done, "", false},
		// rows read before a failure stay written
		{"network", 1, Forbidden, "not allowed: the cloud's policy refuses this user (403)", true},
		{"loadbalancer", 0, Missing, "this cloud has no load-balancer service in this region", false},
		{"trunk", 0, Missing, "no trunk extension", false},
		{"volume", 1, Failed, "timeout", true},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("outcomes (-want +got):\n%s", d)
	}
	wantOut := `{"type":"server","row":{"ID":"s1","Name":"web-1"}}
{"type":"server","row":{"ID":"s2","Name":"web-2"}}
{"type":"server","row":{"ID":"s3","Name":"db-1"}}
{"type":"network","row":{"ID":"n1","Name":"private"}}
{"type":"volume","row":{"ID":"v1","Name":"data"}}
`
	if d := cmp.Diff(wantOut, buf.String()); d != "" {
		t.Errorf("output (-want +got):\n%s", d)
	}
	// all_projects goes only to the lists that take it
	wantArgs := map[string]map[string]any{
		"server.list": {"all_projects": true}, "network.list": nil, "loadbalancer.list": nil,
		"trunk.list": nil, "volume.list": {"all_projects": true},
	}
	if d := cmp.Diff(wantArgs, f.args); d != "" {
		t.Errorf("args (-want +got):\n%s", d)
	}
	if last := progress[len(progress)-1]; last.Index != 5 || last.Total != 5 || last.Rows != 5 {
		t.Errorf("last progress = %+v", last)
	}
	// asked for by name, a missing service is a failure
	out, err = Run(t.Context(), f.pager, JSONLines(&bytes.Buffer{}), Options{Types: types[2:3], Asked: true})
	if err != nil || len(out) != 1 || !out[0].Failed() {
		t.Errorf("asked-for missing service: %+v, %v", out, err)
	}
}

// failWriter fails on the nth row.
type failWriter struct {
	Writer
	n int
}

func (f *failWriter) Row(vals []any) error {
	if f.n--; f.n < 0 {
		return errors.New("disk full")
	}
	return f.Writer.Row(vals)
}

func TestRunStopsWhenTheOutputFails(t *testing.T) {
	f := &fakePager{
		cols:  map[string][]tools.Column{"server.list": {{Name: "ID"}}, "network.list": {{Name: "ID"}}},
		pages: map[string][][][]any{"server.list": {{{"a"}, {"b"}}}, "network.list": {{{"n"}}}},
	}
	types := []Type{{Name: "server", Tool: "server.list"}, {Name: "network", Tool: "network.list"}}
	out, err := Run(t.Context(), f.pager, &failWriter{Writer: JSONLines(&bytes.Buffer{}), n: 1}, Options{Types: types})
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("err = %v, want disk full", err)
	}
	if len(out) != 0 {
		t.Errorf("went on after the output failed: %+v", out)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Run(ctx, f.pager, JSONLines(&bytes.Buffer{}), Options{Types: types}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

func TestSecretsNeverExported(t *testing.T) {
	pem := "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
	f := &fakePager{
		cols: map[string][]tools.Column{"keypair.list": {{Name: "Name"}, {Name: "Private Key"}, {Name: "Secret"}, {Name: "Description"}, {Name: "Properties"}, {Name: "Notes"}}},
		pages: map[string][][][]any{"keypair.list": {{{
			"k1", pem, "s3cr3t-value", "key: " + pem,
			map[string]string{"admin_password": "hunter22", "role": "web"},
			[]string{"plain", "X-Auth-Token: gAAAAABtokenvalue"},
		}}}},
	}
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := New(format, &buf, "", false)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Run(t.Context(), f.pager, w, Options{Types: []Type{{Name: "keypair", Tool: "keypair.list"}}}); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, leak := range []string{"MIIEowIBAAKCAQEA", "s3cr3t-value", "hunter22", "gAAAAABtokenvalue", "Private Key", "Secret"} {
				if strings.Contains(out, leak) {
					t.Errorf("%q exported:\n%s", leak, out)
				}
			}
			for _, kept := range []string{"k1", "web", "plain", secrets.Placeholder} {
				if !strings.Contains(out, kept) {
					t.Errorf("%q missing:\n%s", kept, out)
				}
			}
		})
	}
}

func TestCleanValueCopiesOnlyWhatChanges(t *testing.T) {
	m := map[string]string{"role": "web"}
	if got, changed := cleanValue(m); changed || fmt.Sprintf("%p", got) != fmt.Sprintf("%p", m) {
		t.Errorf("a clean map was copied")
	}
	m2 := map[string]string{"db_password": "x"}
	got, changed := cleanValue(m2)
	if !changed || m2["db_password"] != "x" || got.(map[string]string)["db_password"] != secrets.Placeholder {
		t.Errorf("the tool's own map was changed, or the copy not: %v %v", m2, got)
	}
	nested := map[string]any{"inner": map[string]any{"token": "t0ken-value"}, "list": []any{"ok"}}
	got, changed = cleanValue(nested)
	if !changed || strings.Contains(fmt.Sprint(got), "t0ken-value") {
		t.Errorf("nested secret kept: %v", got)
	}
}

// rowsOf is a one-type export of cols and rows in the format.
func rowsOf(t *testing.T, format string, terminal bool, cols []tools.Column, rows [][]any) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := New(format, &buf, "", terminal)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakePager{cols: map[string][]tools.Column{"server.list": cols}, pages: map[string][][][]any{"server.list": {rows}}}
	if _, err := Run(t.Context(), f.pager, w, Options{Types: []Type{{Name: "server", Tool: "server.list"}}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestFormats(t *testing.T) {
	cols := []tools.Column{{Name: "ID"}, {Name: "Name"}, {Name: "Locked"}, {Name: "RAM"}, {Name: "Ratio"}, {Name: "Addresses"}, {Name: "Properties"}, {Name: "Host"}}
	rows := [][]any{
		{"s1", "web \"one\", new\nline", true, 512, 1.5, []string{"10.0.0.1", "fd00::1"}, map[string]string{"b": "2", "a": "1"}, nil},
		{"s2", "true", false, 0, 0.0, []string{}, map[string]string{}, "h\x1b[31m"},
	}
	tests := []struct {
		format   string
		terminal bool
		want     string
	}{
		{"json", false, `{"type":"server","row":{"ID":"s1","Name":"web \"one\", new\nline","Locked":true,"RAM":512,"Ratio":1.5,"Addresses":["10.0.0.1","fd00::1"],"Properties":{"a":"1","b":"2"},"Host":null}}
{"type":"server","row":{"ID":"s2","Name":"true","Locked":false,"RAM":0,"Ratio":0,"Addresses":[],"Properties":{},"Host":"h\u001b[31m"}}
`},
		// on a terminal, JSON's text goes through termtext.Safe too
		{"json", true, `{"type":"server","row":{"ID":"s1","Name":"web \"one\", new\\x0aline","Locked":true,"RAM":512,"Ratio":1.5,"Addresses":["10.0.0.1","fd00::1"],"Properties":{"a":"1","b":"2"},"Host":null}}
{"type":"server","row":{"ID":"s2","Name":"true","Locked":false,"RAM":0,"Ratio":0,"Addresses":[],"Properties":{},"Host":"h\\x1b[31m"}}
`},
		{"csv", false, `ID,Name,Locked,RAM,Ratio,Addresses,Properties,Host
s1,"web ""one"", new
line",True,512,1.5,"10.0.0.1, fd00::1","a='1', b='2'",
s2,true,False,0,0,,,` + "h\x1b[31m" + `
`},
		// on a terminal, CSV's text is escaped like every table
		{"csv", true, `ID,Name,Locked,RAM,Ratio,Addresses,Properties,Host
s1,"web ""one"", new\x0aline",True,512,1.5,"10.0.0.1, fd00::1","a='1', b='2'",
s2,true,False,0,0,,,h\x1b[31m
`},
		{"yaml", false, `type: server
row:
  ID: s1
  Name: "web \"one\", new\nline"
  Locked: true
  RAM: 512
  Ratio: 1.5
  Addresses: ["10.0.0.1","fd00::1"]
  Properties: {"a":"1","b":"2"}
  Host: null
---
type: server
row:
  ID: s2
  Name: "true"
  Locked: false
  RAM: 0
  Ratio: 0
  Addresses: []
  Properties: {}
  Host: "h\u001b[31m"
`},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s terminal=%v", tc.format, tc.terminal), func(t *testing.T) {
			got := rowsOf(t, tc.format, tc.terminal, cols, rows)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// The hand-written JSON encoder agrees with encoding/json on every
// string, awkward ones included.
func TestJSONStringsAsEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\`, "tab\tnl\ncr\r", "\x00\x01\x1f\x7f", "é ü 日本", "bad \xff utf8", "line\u2028sep\u2029", "<a&b>"} {
		got := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("%q: %s does not decode: %v", s, got, err)
			continue
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if back != want {
			t.Errorf("%q: round trip gave %q", s, back)
		}
	}
}

// YAML reads back as the same data as JSON Lines, awkward text included
// (words YAML would take for booleans, numbers, leading dashes, colons).
func TestYAMLStreamReadsBackAsJSON(t *testing.T) {
	cols := []tools.Column{{Name: "ID"}, {Name: "Name"}, {Name: "Odd: key"}, {Name: "List"}, {Name: "Map"}, {Name: "N"}}
	var rows [][]any
	for _, s := range []string{"yes", "No", "0x10", "- dash", "a: b", "#x", "null", "~", "1e3", "ok name", "trailing ", "", "multi\nline", "\x1b[31m", "é", "a'b\"c"} {
		rows = append(rows, []any{"id-" + s, s, s, []string{s}, map[string]string{s: s}, 7})
	}
	y := rowsOf(t, "yaml", false, cols, rows)
	j := rowsOf(t, "json", false, cols, rows)
	dec := yaml.NewDecoder(strings.NewReader(y))
	var fromYAML []any
	for {
		var doc any
		if err := dec.Decode(&doc); err != nil {
			break
		}
		// through JSON, so numbers compare as JSON's
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		fromYAML = append(fromYAML, v)
	}
	var fromJSON []any
	for _, line := range strings.Split(strings.TrimSpace(j), "\n") {
		var v any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatal(err)
		}
		fromJSON = append(fromJSON, v)
	}
	if len(fromJSON) != len(rows) {
		t.Fatalf("%d JSON lines for %d rows", len(fromJSON), len(rows))
	}
	if d := cmp.Diff(fromJSON, fromYAML); d != "" {
		t.Errorf("YAML reads back differently (-json +yaml):\n%s\n%s", d, y)
	}
}

func TestCSVDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "inventory")
	f := &fakePager{
		cols: map[string][]tools.Column{"server.list": {{Name: "ID"}, {Name: "Name"}}, "volume.backup.list": {{Name: "ID"}}},
		pages: map[string][][][]any{
			"server.list":        {{{"s1", "web"}}, {{"s2", "db"}}},
			"volume.backup.list": {{}},
		},
		errs: map[string]error{"network.list": statusErr(403)},
	}
	types := []Type{{Name: "server", Tool: "server.list"}, {Name: "network", Tool: "network.list"}, {Name: "volume.backup", Tool: "volume.backup.list"}}
	w := CSVDir(dir)
	if _, err := Run(t.Context(), f.pager, w, Options{Types: types}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	read := func(name string) [][]string {
		fh, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = fh.Close() }()
		recs, err := csv.NewReader(fh).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	if d := cmp.Diff([][]string{{"ID", "Name"}, {"s1", "web"}, {"s2", "db"}}, read("server.csv")); d != "" {
		t.Errorf("server.csv (-want +got):\n%s", d)
	}
	// a type with no rows is a header; one that failed leaves no file
	if d := cmp.Diff([][]string{{"ID"}}, read("volume.backup.csv")); d != "" {
		t.Errorf("volume.backup.csv (-want +got):\n%s", d)
	}
	if _, err := os.Stat(filepath.Join(dir, "network.csv")); !os.IsNotExist(err) {
		t.Errorf("network.csv written for a failed type: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "server.csv"))
	if err != nil || fi.Mode().Perm() != FileMode {
		t.Errorf("server.csv mode = %v (%v), want %v", fi.Mode().Perm(), err, os.FileMode(FileMode))
	}
}

func TestCSVToOneStreamTakesOneType(t *testing.T) {
	f := &fakePager{
		cols:  map[string][]tools.Column{"server.list": {{Name: "ID"}}, "network.list": {{Name: "ID"}}},
		pages: map[string][][][]any{"server.list": {{{"s"}}}, "network.list": {{{"n"}}}},
	}
	types := []Type{{Name: "server", Tool: "server.list"}, {Name: "network", Tool: "network.list"}}
	_, err := Run(t.Context(), f.pager, CSV(&bytes.Buffer{}, false), Options{Types: types})
	if err == nil || !strings.Contains(err.Error(), "-o DIR") {
		t.Errorf("err = %v, want the one-type sentence", err)
	}
}

// Several types in one CSV stream share the inventory's columns: the
// shared ones found by name (whatever their case or place), empty where a
// type has none, and every field as a JSON object.
func TestCSVInventory(t *testing.T) {
	f := &fakePager{
		cols: map[string][]tools.Column{
			"server.list":      {{Name: "ID"}, {Name: "Name"}, {Name: "Status"}, {Name: "Networks"}},
			"floating-ip.list": {{Name: "Floating IP Address"}, {Name: "Project"}, {Name: "ID"}},
		},
		pages: map[string][][][]any{
			"server.list":      {{{"s1", "web, \"1\"", "ACTIVE", map[string][]string{"private": {"10.0.0.5"}}}}},
			"floating-ip.list": {{{"203.0.113.9", "p1", "f1"}}},
		},
	}
	types := []Type{{Name: "server", Tool: "server.list"}, {Name: "floating-ip", Tool: "floating-ip.list"}}
	var out bytes.Buffer
	w := CSVInventory(&out, false)
	if _, err := Run(t.Context(), f.pager, w, Options{Types: types}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatalf("the output is not CSV: %v\n%s", err, out.String())
	}
	want := [][]string{
		InventoryColumns,
		{"server", "s1", `web, "1"`, "ACTIVE", "", `{"ID":"s1","Name":"web, \"1\"","Status":"ACTIVE","Networks":{"private":["10.0.0.5"]}}`},
		{"floating-ip", "f1", "203.0.113.9", "", "p1", `{"Floating IP Address":"203.0.113.9","Project":"p1","ID":"f1"}`},
	}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("inventory CSV (-want +got):\n%s", diff)
	}
	for _, r := range recs[1:] {
		var fields map[string]any
		if err := json.Unmarshal([]byte(r[5]), &fields); err != nil {
			t.Errorf("Fields of %s is not JSON: %v", r[0], err)
		}
	}
}

func TestNewRefusesAnUnknownFormat(t *testing.T) {
	if _, err := New("xml", &bytes.Buffer{}, "", false); err == nil || !strings.Contains(err.Error(), "choose csv, json (JSON Lines) or yaml") {
		t.Errorf("err = %v", err)
	}
}

func TestFromReader(t *testing.T) {
	read := func(_ context.Context, tool string, _ map[string]any) (*tools.Result, error) {
		switch tool {
		case "a.list":
			return &tools.Result{List: &tools.List{Columns: []tools.Column{{Name: "ID"}}, Rows: [][]any{{"1"}, {"2"}}}}, nil
		case "b.list":
			return &tools.Result{Text: "not a list"}, nil
		}
		return nil, errors.New("boom")
	}
	read2 := func(ctx context.Context, tool string, args map[string]any) (*tools.Result, error) {
		if tool != "s.list" {
			return read(ctx, tool, args)
		}
		// a streaming tool: pages through the sink, a result without rows
		sink := tools.PageSinkOf(ctx)
		if sink == nil {
			t.Fatal("no page sink in the read's context")
		}
		cols := []tools.Column{{Name: "ID"}}
		for _, p := range [][][]any{{{"1"}, {"2"}}, {{"3"}}} {
			if err := sink(cols, p); err != nil {
				return nil, err
			}
		}
		return &tools.Result{List: &tools.List{Columns: cols}}, nil
	}
	p := FromReader(read2)
	var got [][]any
	if err := p(t.Context(), "s.list", nil, func(_ []tools.Column, rows [][]any) error { got = append(got, rows...); return nil }); err != nil || len(got) != 3 {
		t.Errorf("s.list: %v, %v", got, err)
	}
	var pages int
	if err := p(t.Context(), "a.list", nil, func(_ []tools.Column, rows [][]any) error { pages += len(rows); return nil }); err != nil || pages != 2 {
		t.Errorf("a.list: %d rows, %v", pages, err)
	}
	if err := p(t.Context(), "b.list", nil, func([]tools.Column, [][]any) error { return nil }); err == nil || !strings.Contains(err.Error(), "returned no list") {
		t.Errorf("b.list: %v", err)
	}
	if err := p(t.Context(), "c.list", nil, func([]tools.Column, [][]any) error { return nil }); err == nil {
		t.Error("c.list: no error")
	}
}

// The next types are read while one is written: b's read finishes only
// once c's has started, which one reader after another never allows.
// The rows still come out in the types' order.
func TestRunReadsAhead(t *testing.T) {
	cStarted := make(chan struct{})
	cols := []tools.Column{{Name: "ID"}}
	pager := func(ctx context.Context, tool string, _ map[string]any, page PageFunc) error {
		switch tool {
		case "b.list":
			select {
			case <-cStarted:
			case <-ctx.Done():
				return ctx.Err()
			}
		case "c.list":
			close(cStarted)
		}
		return page(cols, [][]any{{tool}})
	}
	types := []Type{{Name: "a", Tool: "a.list"}, {Name: "b", Tool: "b.list"}, {Name: "c", Tool: "c.list"}}
	var buf bytes.Buffer
	w := JSONLines(&buf)
	if _, err := Run(t.Context(), pager, w, Options{Types: types}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"a","row":{"ID":"a.list"}}
{"type":"b","row":{"ID":"b.list"}}
{"type":"c","row":{"ID":"c.list"}}
`
	if d := cmp.Diff(want, buf.String()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// A failed output stops the readers ahead too, even those waiting to
// hand over more pages than they may hold.
func TestRunStopsReadersAhead(t *testing.T) {
	cols := []tools.Column{{Name: "ID"}}
	var stopped sync.WaitGroup
	pager := func(ctx context.Context, tool string, _ map[string]any, page PageFunc) error {
		stopped.Add(1)
		defer stopped.Done()
		for i := range 10 * aheadPages {
			if err := page(cols, [][]any{{fmt.Sprint(tool, i)}}); err != nil {
				return err
			}
		}
		return nil
	}
	types := []Type{{Name: "a", Tool: "a.list"}, {Name: "b", Tool: "b.list"}, {Name: "c", Tool: "c.list"}}
	_, err := Run(t.Context(), pager, &failWriter{Writer: JSONLines(&bytes.Buffer{}), n: 3}, Options{Types: types})
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("err = %v", err)
	}
	// Run returned after its readers: nothing is left running.
	stopped.Wait()
}
