package router

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
)

const base = "https://ostui.dev/schemas/"

var testSchemas = fstest.MapFS{
	"defs.schema.json": {Data: []byte(`{"$id": "https://ostui.dev/schemas/defs.schema.json", "$defs": {"nameOrId": {"type": "string", "minLength": 1}}}`)},
	"server.list.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/server.list.schema.json",
		"type": "object", "additionalProperties": false,
		"properties": {
			"name": {"type": "string", "description": "Filter by name"},
			"status": {"type": "string", "enum": ["ACTIVE", "ERROR", "SHUTOFF"]},
			"all_projects": {"type": "boolean"},
			"limit": {"type": "integer", "minimum": 1}
		}}`)},
	"server.show.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/server.show.schema.json",
		"type": "object", "additionalProperties": false, "required": ["server"],
		"x-positional": ["server"],
		"properties": {"server": {"$ref": "defs.schema.json#/$defs/nameOrId", "x-resource": "server"}}}`)},
	"server.set.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/server.set.schema.json",
		"type": "object", "additionalProperties": false, "required": ["server"],
		"x-positional": ["server", "tags"],
		"properties": {
			"server": {"type": "string"},
			"property": {"type": "object", "additionalProperties": {"type": "string"}},
			"tags": {"type": "array", "items": {"type": "string"}}
		}}`)},
	"volume.snapshot.list.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/volume.snapshot.list.schema.json",
		"type": "object", "additionalProperties": false,
		"properties": {"volume": {"type": "string"}}}`)},
}

func testRouter(t testing.TB) *Router {
	t.Helper()
	run := func(context.Context, *tools.Env, tools.Args) (*tools.Result, error) { return nil, nil }
	var list []tools.Tool
	for _, name := range []string{"server.list", "server.show", "server.set", "volume.snapshot.list"} {
		list = append(list, tools.Tool{Name: name, Summary: name, Service: "compute", Run: run})
	}
	reg, err := tools.NewRegistry(testSchemas, base, list)
	if err != nil {
		t.Fatal(err)
	}
	return New(reg, []string{"help", "quit", "cloud"})
}

func TestRouteCalls(t *testing.T) {
	tests := []struct {
		line     string
		wantTool string
		wantArgs string
		wantOut  Output
	}{
		{"/server list", "server.list", `{}`, Output{}},
		{"  /server list --status ACTIVE -f json", "server.list", `{"status":"ACTIVE"}`, Output{Format: "json"}},
		{"/server list --status=ERROR --all-projects --limit 5", "server.list", `{"all_projects":true,"limit":5,"status":"ERROR"}`, Output{}},
		{"/server list status=SHUTOFF --no-all-projects", "server.list", `{"all_projects":false,"status":"SHUTOFF"}`, Output{}},
		{"/server list -c ID -c Name --sort Name:desc --long", "server.list", `{}`, Output{Columns: []string{"ID", "Name"}, Sort: []string{"Name:desc"}, Long: true}},
		{"/server show web-1", "server.show", `{"server":"web-1"}`, Output{}},
		{`/server show "my server"`, "server.show", `{"server":"my server"}`, Output{}},
		{"/server show -- --odd-name", "server.show", `{"server":"--odd-name"}`, Output{}},
		{"/server.show web-1", "server.show", `{"server":"web-1"}`, Output{}},
		{"/server set web-1 a b --property role=db --property tier=2", "server.set", `{"property":{"role":"db","tier":"2"},"server":"web-1","tags":["a","b"]}`, Output{}},
		{"/volume snapshot list --volume v1", "volume.snapshot.list", `{"volume":"v1"}`, Output{}},
	}
	r := testRouter(t)
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			in, err := r.Route(tt.line)
			if err != nil {
				t.Fatal(err)
			}
			call, ok := in.(Call)
			if !ok {
				t.Fatalf("intent = %T, want Call", in)
			}
			if call.Tool.Name != tt.wantTool {
				t.Errorf("tool = %s, want %s", call.Tool.Name, tt.wantTool)
			}
			if got := string(call.Args); got != tt.wantArgs {
				t.Errorf("args = %s, want %s", got, tt.wantArgs)
			}
			if diff := cmp.Diff(tt.wantOut, call.Output); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRouteOther(t *testing.T) {
	tests := []struct {
		line string
		want Intent
	}{
		{"", Empty{}},
		{"   ", Empty{}},
		{"why is db-2 in ERROR?", Prose{Text: "why is db-2 in ERROR?"}},
		{"/help server list", Builtin{Name: "help", Args: []string{"server", "list"}}},
		{"/quit", Builtin{Name: "quit", Args: []string{}}},
		{"/server list --help", Help{Topic: "server list"}},
		{"/server", Help{Topic: "server"}},
		{"/server -h", Help{Topic: "server"}},
		{"/", Help{}},
	}
	r := testRouter(t)
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := r.Route(tt.line)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRouteErrors(t *testing.T) {
	tests := []struct {
		line string
		want []string // substrings of the message
	}{
		{"/sever list", []string{"unknown command /sever list", "did you mean: /server list"}},
		{"/server lst", []string{"/server takes: list, set, show", "did you mean: /server list"}},
		{"/frobnicate", []string{"unknown command /frobnicate", "/help"}},
		{"/hlep", []string{"did you mean: /help"}},
		{"/server show", []string{"--server is required", "usage: /server show SERVER"}},
		{"/server list --status RUNNING", []string{"--status must be one of ACTIVE, ERROR, SHUTOFF", "usage: /server list"}},
		{"/server list --limit abc", []string{`--limit must be a whole number (got "abc")`}},
		{"/server list --limit 0", []string{"--limit must be at least 1 (got 0)"}},
		{"/server list --stats ACTIVE", []string{"unknown flag --stats (did you mean --status?)"}},
		{"/server list --limit", []string{"--limit needs a value"}},
		{"/server list extra", []string{`unexpected argument "extra"`}},
		{"/server show a b", []string{`unexpected argument "b"`}},
		{"/server list --status ACTIVE --status ERROR", []string{"--status is given more than once"}},
		{"/server set web-1 --property bad", []string{`--property takes KEY=VALUE (got "bad")`}},
		{`/server show "web`, []string{"unterminated \" quote"}},
		{"/server list -x", []string{"unknown flag -x"}},
	}
	r := testRouter(t)
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			_, err := r.Route(tt.line)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestDidYouMeanNearestOnly(t *testing.T) {
	_, err := testRouter(t).Route("/sever list")
	var uc *UnknownCommandError
	if !errors.As(err, &uc) {
		t.Fatalf("err = %v", err)
	}
	if diff := cmp.Diff([]string{"/server list"}, uc.Suggestions); diff != "" {
		t.Errorf("suggestions (-want +got):\n%s", diff)
	}
}

func TestUsageErrorType(t *testing.T) {
	_, err := testRouter(t).Route("/server show")
	var ue *UsageError
	if !errors.As(err, &ue) || ue.Tool.Name != "server.show" {
		t.Fatalf("err = %#v, want *UsageError for server.show", err)
	}
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`a b  c`, []string{"a", "b", "c"}},
		{`'a b' "c \"d\"" e\ f`, []string{"a b", `c "d"`, "e f"}},
		{`x='1 2'`, []string{"x=1 2"}},
		{`""`, []string{""}},
		{`tail\`, []string{`tail\`}},
	}
	for _, tt := range tests {
		got, err := tokenize(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.in, diff)
		}
	}
}

// FuzzRoute checks that no input makes the router panic, and that every
// call it accepts carries arguments the schema accepts.
func FuzzRoute(f *testing.F) {
	for _, seed := range []string{"/server list --status ACTIVE", "/server show 'a b'", "/server set x --property a=b t1 t2", "hello", "/", "/server list --limit -5", `/"`, "/server show -- -x", "/server list --no-all-projects=3"} {
		f.Add(seed)
	}
	r := testRouter(f)
	f.Fuzz(func(t *testing.T, line string) {
		in, err := r.Route(line)
		if err != nil {
			return
		}
		if call, ok := in.(Call); ok {
			if verr := r.reg.Validate(call.Tool.Name, call.Args); verr != nil {
				t.Fatalf("accepted %q with invalid args %s: %v", line, call.Args, verr)
			}
		}
	})
}
