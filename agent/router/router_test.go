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
	// The tools below carry the openstack CLI's spellings.
	"floating-ip.list.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/floating-ip.list.schema.json",
		"type": "object", "additionalProperties": false,
		"x-cli": ["floating ip list"],
		"properties": {"network": {"type": "string"}, "status": {"type": "string", "enum": ["ACTIVE", "DOWN"]}}}`)},
	"floating-ip.create.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/floating-ip.create.schema.json",
		"type": "object", "additionalProperties": false, "required": ["network"],
		"x-positional": ["network"], "x-cli": ["floating ip create"],
		"properties": {
			"network": {"$ref": "defs.schema.json#/$defs/nameOrId"},
			"fixed_address": {"type": "string", "x-aliases": ["--fixed-ip-address"]},
			"description": {"type": "string"}
		}}`)},
	"server.create.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/server.create.schema.json",
		"type": "object", "additionalProperties": false, "required": ["name", "flavor"],
		"x-positional": ["name"],
		"properties": {
			"name": {"type": "string"},
			"flavor": {"$ref": "defs.schema.json#/$defs/nameOrId", "x-resource": "flavor"},
			"image": {"type": "string"},
			"key_name": {"type": "string"},
			"networks": {"type": "array", "items": {"$ref": "defs.schema.json#/$defs/nameOrId"}, "x-aliases": ["--network", "--net"]},
			"security_groups": {"type": "array", "items": {"type": "string"}, "x-aliases": ["--security-group"]},
			"metadata": {"type": "object", "additionalProperties": {"type": "string"}, "x-aliases": ["--property"]},
			"volume_size": {"type": "integer", "minimum": 1, "x-aliases": ["--boot-from-volume"]},
			"user_data_file": {"type": "string", "x-aliases": ["-u"]}
		}}`)},
	"server.reboot.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/server.reboot.schema.json",
		"type": "object", "additionalProperties": false, "required": ["server"],
		"x-positional": ["server"],
		"properties": {"server": {"type": "string"}, "hard": {"type": "boolean", "x-switches": {"--soft": false}}}}`)},
	"server.snapshot.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/server.snapshot.schema.json",
		"type": "object", "additionalProperties": false, "required": ["server", "name"],
		"x-positional": ["server", "name"], "x-cli": ["server image create"],
		"properties": {"server": {"type": "string"}, "name": {"type": "string"},
			"metadata": {"type": "object", "additionalProperties": {"type": "string"}, "x-aliases": ["--property"]}}}`)},
	"server.events.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/server.events.schema.json",
		"type": "object", "additionalProperties": false, "required": ["server"],
		"x-positional": ["server"], "x-cli": ["server event list"],
		"properties": {"server": {"type": "string"}}}`)},
	"server.console-log.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/server.console-log.schema.json",
		"type": "object", "additionalProperties": false, "required": ["server"],
		"x-positional": ["server"], "x-cli": ["console log show"],
		"properties": {"server": {"type": "string"}, "lines": {"type": "integer"}}}`)},
	"server.add.floating-ip.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/server.add.floating-ip.schema.json",
		"type": "object", "additionalProperties": false, "required": ["server"],
		"x-positional": ["server", "address"], "x-cli": ["server add floating ip"],
		"properties": {"server": {"type": "string"}, "address": {"type": "string"},
			"fixed_address": {"type": "string", "x-aliases": ["--fixed-ip-address"]}}}`)},
	"image.list.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/image.list.schema.json",
		"type": "object", "additionalProperties": false,
		"properties": {"visibility": {"type": "string", "enum": ["public", "private", "shared", "community"],
			"x-switches": {"--public": "public", "--private": "private", "--shared": "shared", "--community": "community"}}}}`)},
	"network.list.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/network.list.schema.json",
		"type": "object", "additionalProperties": false,
		"properties": {"external": {"type": "boolean", "x-switches": {"--internal": false}},
			"shared": {"type": "boolean", "x-aliases": ["--share"]}}}`)},
	"security-group.rule.list.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/security-group.rule.list.schema.json",
		"type": "object", "additionalProperties": false,
		"x-positional": ["group"], "x-cli": ["security group rule list"],
		"properties": {"group": {"type": "string"},
			"direction": {"type": "string", "enum": ["ingress", "egress"], "x-switches": {"--ingress": "ingress", "--egress": "egress"}}}}`)},
	"limits.schema.json": {Data: []byte(`{
		"$id": "https://ostui.dev/schemas/limits.schema.json",
		"type": "object", "additionalProperties": false,
		"x-cli": ["limits show"], "x-cli-noop": ["--absolute"],
		"properties": {"project_id": {"type": "string", "x-aliases": ["--project"]}}}`)},
}

// testTools are the tools of testSchemas.
var testTools = []string{
	"server.list", "server.show", "server.set", "volume.snapshot.list",
	"floating-ip.list", "floating-ip.create", "server.create", "server.reboot", "server.snapshot",
	"server.events", "server.console-log", "server.add.floating-ip", "image.list", "network.list",
	"security-group.rule.list", "limits",
}

func testRouter(t testing.TB) *Router {
	t.Helper()
	run := func(context.Context, *tools.Env, tools.Args) (*tools.Result, error) { return nil, nil }
	var list []tools.Tool
	for _, name := range testTools {
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

// TestOpenstackSpellings checks that a line typed the openstack CLI's way
// becomes exactly the call ostui's own spelling makes.
func TestOpenstackSpellings(t *testing.T) {
	tests := []struct {
		openstack string
		ostui     string
	}{
		{"/floating ip list", "/floating-ip list"},
		{"/floating ip list --network public --status ACTIVE -f json", "/floating-ip list --network public --status ACTIVE --format json"},
		{"/floating ip create public", "/floating-ip create public"},
		{"/floating ip create public --fixed-ip-address 10.0.0.5", "/floating-ip create --network public --fixed-address 10.0.0.5"},
		{"/server image create web-1 --name snap", "/server snapshot web-1 snap"},
		{"/server image create web-1 --name snap --property os_distro=cirros --property role=web", "/server snapshot web-1 snap --metadata os_distro=cirros --metadata role=web"},
		{"/server event list web-1", "/server events web-1"},
		{"/console log show web-1 --lines 20", "/server console-log web-1 --lines 20"},
		{"/server add floating ip web-1 172.24.4.10", "/server add floating-ip web-1 172.24.4.10"},
		{"/server add floating ip web-1 172.24.4.10 --fixed-ip-address 10.0.0.5", "/server add floating-ip web-1 172.24.4.10 --fixed-address 10.0.0.5"},
		{"/security group rule list default --ingress", "/security-group rule list default --direction ingress"},
		{"/security group rule list --egress default", "/security-group rule list --direction egress default"},
		{"/server create vm --flavor m1.tiny --image cirros --key-name mykey --network private --network public --security-group web --property role=db",
			"/server create vm --flavor m1.tiny --image cirros --key-name mykey --networks private --networks public --security-groups web --metadata role=db"},
		{"/server create vm --flavor m1.tiny --net private --networks public", "/server create vm --flavor m1.tiny --networks private --networks public"},
		{"/server create vm --flavor m1.tiny --boot-from-volume 10", "/server create vm --flavor m1.tiny --volume-size 10"},
		{"/server create vm --flavor=m1.tiny --network=private", "/server create vm --flavor m1.tiny --networks private"},
		// A one-letter openstack alias takes its value as the long flag does.
		{"/server create vm --flavor m1.tiny -u init.sh", "/server create vm --flavor m1.tiny --user-data-file init.sh"},
		{"/server create vm -u=init.sh --flavor m1.tiny", "/server create vm --flavor m1.tiny --user-data-file init.sh"},
		{"/server reboot web-1 --soft", "/server reboot web-1 --no-hard"},
		{"/image list --public", "/image list --visibility public"},
		{"/image list --community", "/image list --visibility community"},
		{"/network list --internal", "/network list --no-external"},
		{"/network list --share", "/network list --shared"},
		{"/network list --no-share", "/network list --no-shared"},
		{"/limits show --absolute", "/limits"},
		{"/limits show --absolute --project p-1", "/limits --project-id p-1"},
		// Output flags: --sort-column, --sort-descending, -c, --long.
		{"/server list -c ID -c Name --sort-column Name --sort-descending", "/server list --column ID --column Name --sort Name:desc"},
		{"/server list --sort-column Name:asc --sort-column Status --sort-descending", "/server list --sort Name:asc --sort Status:desc"},
		{"/server list --sort-descending --sort-ascending --sort-column Name --long", "/server list --sort Name --long"},
		{"/server list -f json --noindent --max-width 80 --fit-width --print-empty", "/server list -f json"},
	}
	r := testRouter(t)
	for _, tt := range tests {
		t.Run(tt.openstack, func(t *testing.T) {
			want, err := r.Route(tt.ostui)
			if err != nil {
				t.Fatalf("ostui spelling %q: %v", tt.ostui, err)
			}
			got, err := r.Route(tt.openstack)
			if err != nil {
				t.Fatalf("openstack spelling: %v", err)
			}
			wc, gc := want.(Call), got.(Call)
			if gc.Tool.Name != wc.Tool.Name {
				t.Errorf("tool = %s, want %s", gc.Tool.Name, wc.Tool.Name)
			}
			if diff := cmp.Diff(string(wc.Args), string(gc.Args)); diff != "" {
				t.Errorf("args (-ostui +openstack):\n%s", diff)
			}
			if diff := cmp.Diff(wc.Output, gc.Output); diff != "" {
				t.Errorf("output (-ostui +openstack):\n%s", diff)
			}
		})
	}
}

// TestOwnNamesWin: an ostui flag is read as ostui's even where an alias
// exists for another property of the same spelling family.
func TestOwnNamesWin(t *testing.T) {
	in, err := testRouter(t).Route("/server create vm --flavor m1 --networks a --network b")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(`{"flavor":"m1","name":"vm","networks":["a","b"]}`, string(in.(Call).Args)); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
}

// TestRendererFlagsAreTaken keeps tools.RendererFlags (which no alias may
// use) and the parser's own output flags the same list.
func TestRendererFlagsAreTaken(t *testing.T) {
	tool, _ := testRouter(t).reg.Lookup("server.list")
	for _, f := range tools.RendererFlags {
		if f == "--help" || f == "-h" {
			continue // Route answers these before parsing
		}
		words := []string{f}
		switch f {
		case "--long", "--sort-ascending", "--sort-descending", "--noindent", "--fit-width", "--print-empty":
		default:
			words = append(words, "x")
		}
		if _, _, err := ParseArgs(tool, words); err != nil {
			t.Errorf("ParseArgs does not take output flag %s: %v", f, err)
		}
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
		{"/floating ip", Help{Topic: "floating ip"}},
		{"/security group -h", Help{Topic: "security group"}},
		{"/server add", Help{Topic: "server add"}},
		{"/server event list --help", Help{Topic: "server events"}},
		{"/console log show web-1 -h", Help{Topic: "server console-log"}},
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
		{"/server lst", []string{"/server takes: add floating-ip, console-log, create, events, list, reboot, set, show, snapshot\n", "did you mean: /server list"}},
		// The openstack spellings are suggested too.
		{"/floating ip lst", []string{"/floating ip takes: create, list", "did you mean: /floating ip list"}},
		{"/floating ips list", []string{"did you mean: /floating ip list"}},
		{"/flaoting ip list", []string{"did you mean: /floating ip list"}},
		{"/security group rule lsit", []string{"did you mean: /security group rule list"}},
		{"/server add floating-ipp web-1", []string{"/server add takes: floating-ip\n", "did you mean: /server add floating-ip"}},
		{"/server create vm --flavor m1 --netwrk private", []string{"unknown flag --netwrk (did you mean --networks?)"}},
		{"/server create vm --flavor m1 --propery a=b", []string{"unknown flag --propery (did you mean --property?)"}},
		{"/image list --pubic", []string{"unknown flag --pubic (did you mean --public?)"}},
		{"/image list --public=yes", []string{"--public takes no value (it means --visibility public)"}},
		{"/image list --public --private", []string{"--visibility is given more than once (--private sets it too)"}},
		{"/server reboot web-1 --hard --soft", []string{"--hard is given more than once (--soft sets it too)"}},
		{"/limits show --rate", []string{"unknown flag --rate"}},
		// A flag of another command of the same noun is pointed to.
		{"/server show web-1 --lines 5", []string{"unknown flag --lines (a flag of /server console-log)\n"}},
		{"/server show web-1 --property a=b", []string{"unknown flag --property (a flag of /server create, /server set, /server snapshot)\n"}},
		{"/server show web-1 --nosuch", []string{"unknown flag --nosuch\n"}},
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
	for _, seed := range []string{"/server list --status ACTIVE", "/server show 'a b'", "/server set x --property a=b t1 t2", "hello", "/", "/server list --limit -5", `/"`, "/server show -- -x", "/server list --no-all-projects=3",
		"/floating ip create public --fixed-ip-address 10.0.0.5", "/image list --public=x", "/network list --no-share --internal",
		"/server create vm --flavor f --network a --net b --property k=v", "/limits show --absolute", "/security group", "/server list --sort-column Name --sort-descending"} {
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
