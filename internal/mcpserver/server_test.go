package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/audit/audittest"
	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolset"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// Canaries: values that must never reach a client.
const (
	passwordCanary = "hunter2-canary"
	userDataCanary = "I2Nsb3VkLWNvbmZpZyBjYW5hcnk="
	tokenCanary    = "gAAAAB-token-canary"
)

// world is the fake cloud the fake tools act on.
type world struct {
	mu  sync.Mutex
	ran []string
}

func (w *world) record(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ran = append(w.ran, s)
}

func (w *world) calls() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.ran...)
}

// registry is a small registry of fake tools: two reads (one whose
// results hold secrets) and one change.
func registry(t *testing.T, w *world) *tools.Registry {
	t.Helper()
	planSchema, err := schemas.FS.ReadFile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	schema := func(name, props string, required ...string) *fstest.MapFile {
		req, _ := json.Marshal(append([]string{}, required...))
		return &fstest.MapFile{Data: []byte(`{"$id": "https://ostui.dev/schemas/` + name + `.schema.json", "type": "object", "additionalProperties": false, ` +
			`"required": ` + string(req) + `, "properties": {` + props + `}}`)}
	}
	fsys := fstest.MapFS{
		"plan.schema.json":      {Data: planSchema},
		"vm.list.schema.json":   schema("vm.list", `"status": {"type": "string", "enum": ["ACTIVE", "SHUTOFF"]}, "project": {"type": "string"}`),
		"vm.show.schema.json":   schema("vm.show", `"vm": {"type": "string"}`, "vm"),
		"vm.stop.schema.json":   schema("vm.stop", `"vm": {"type": "string"}`, "vm"),
		"vm.delete.schema.json": schema("vm.delete", `"vm": {"type": "string"}`, "vm"),
	}
	list := []tools.Tool{
		{Name: "vm.list", Summary: "List VMs", Service: "compute", Effect: tools.Read,
			Run: func(context.Context, *tools.Env, tools.Args) (*tools.Result, error) {
				w.record("vm.list")
				return &tools.Result{List: &tools.List{
					Columns: []tools.Column{{Name: "ID"}, {Name: "Name"}, {Name: "Status"}, {Name: "Admin Pass"}, {Name: "Metadata", Long: true}},
					Rows: [][]any{
						{"id-1", "web-1", "ACTIVE", passwordCanary, map[string]string{"role": "web"}},
						{"id-2", "db-1", "SHUTOFF", passwordCanary, map[string]string{"db_password": passwordCanary}},
					},
				}}, nil
			}},
		{Name: "vm.show", Summary: "Show a VM", Service: "compute", Effect: tools.Read,
			Run: func(_ context.Context, _ *tools.Env, args tools.Args) (*tools.Result, error) {
				w.record("vm.show " + string(args))
				var a struct{ VM string }
				_ = json.Unmarshal(args, &a)
				if a.VM == "gone" {
					return nil, errors.New("no server named gone (X-Auth-Token: " + tokenCanary + ")")
				}
				return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
					{Name: "name", Value: a.VM},
					{Name: "OS-EXT-SRV-ATTR:user_data", Value: userDataCanary},
					{Name: "adminPass", Value: passwordCanary},
					{Name: "console", Value: strings.Repeat("boot line\n", 4000)},
				}}}, nil
			}},
	}
	for _, spec := range []struct {
		name   string
		effect tools.Effect
	}{{"vm.stop", tools.Change}, {"vm.delete", tools.Destroy}} {
		list = append(list, tools.Tool{
			Name: spec.name, Summary: spec.name, Service: "compute", Effect: spec.effect,
			Check: func(_ context.Context, _ *tools.Env, args tools.Args) (*tools.Check, error) {
				var a struct{ VM string }
				_ = json.Unmarshal(args, &a)
				c := &tools.Check{State: "ACTIVE", Targets: []tools.Target{{Kind: "vm", ID: "id-" + a.VM, Name: a.VM}}}
				if a.VM == "locked" {
					c.Findings = append(c.Findings, tools.Finding{Level: tools.Block, Text: "vm locked is locked"})
				}
				return c, nil
			},
			Preview: func(_ context.Context, _ *tools.Env, args tools.Args, _ *tools.Check) (*tools.Preview, error) {
				return &tools.Preview{Requests: []tools.Request{{Method: "POST", URL: "/servers/id/action", Body: map[string]any{"os-stop": nil}}}}, nil
			},
			Run: func(_ context.Context, _ *tools.Env, args tools.Args) (*tools.Result, error) {
				w.record(spec.name + " " + string(args))
				if strings.Contains(string(args), "boom") {
					return nil, errors.New("409 conflict (X-Auth-Token: " + tokenCanary + ")")
				}
				return &tools.Result{RequestIDs: []string{"req-1"}}, nil
			},
			Undo: func(args tools.Args, _ *tools.Result) *tools.Call {
				return &tools.Call{Tool: "vm.delete", Args: args, Why: "undo " + spec.name}
			},
		})
	}
	reg, err := tools.NewRegistry(fsys, schemas.BaseURL, list)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// fixture is a server and what it acts on.
type fixture struct {
	world *world
	audit *audittest.Memory
	srv   *Server
}

func newFixture(t *testing.T, allowChanges bool) *fixture {
	t.Helper()
	w := &world{}
	log := &audittest.Memory{}
	cloud := toolstest.New(t)
	reg := registry(t, w)
	srv, err := New(Config{
		Registry: reg,
		NewEngine: func() *session.Engine {
			return &session.Engine{Registry: reg, Env: func() (*tools.Env, error) { return cloud.Env(), nil }, Audit: log}
		},
		AllowChanges: allowChanges,
		Budget:       2000,
		Version:      "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{world: w, audit: log, srv: srv}
}

// elicit answers elicitation requests in a test, and records the
// messages shown.
type elicit struct {
	mu       sync.Mutex
	answer   *mcp.ElicitResult
	err      error
	messages []string
}

func (e *elicit) handle(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.messages = append(e.messages, req.Params.Message)
	return e.answer, e.err
}

// connect connects a client over in-memory transports; e nil makes a
// client without elicitation support.
func (f *fixture) connect(t *testing.T, e *elicit) *mcp.ClientSession {
	t.Helper()
	ct, st := mcp.NewInMemoryTransports()
	ctx := t.Context()
	ss, err := f.srv.MCP().Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := &mcp.ClientOptions{}
	if e != nil {
		opts.ElicitationHandler = e.handle
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1"}, opts).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.Close()
		_ = ss.Wait()
	})
	return cs
}

// call calls a tool and returns its structured content and isError.
func call(t *testing.T, cs *mcp.ClientSession, name string, args any) (map[string]any, bool) {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	if len(res.Content) != 1 {
		t.Fatalf("call %s: %d content blocks, want 1", name, len(res.Content))
	}
	text, ok := res.Content[0].(*mcp.TextContent)
	if !ok {
		t.Fatalf("call %s: content is %T, want text", name, res.Content[0])
	}
	var fromText map[string]any
	if err := json.Unmarshal([]byte(text.Text), &fromText); err != nil {
		t.Fatalf("call %s: text is not JSON: %v\n%s", name, err, text.Text)
	}
	structured, ok := res.StructuredContent.(map[string]any)
	if !ok {
		t.Fatalf("call %s: structured content is %T", name, res.StructuredContent)
	}
	if diff := cmp.Diff(fromText, structured); diff != "" {
		t.Errorf("call %s: text and structured content differ (-text +structured):\n%s", name, diff)
	}
	for _, canary := range []string{passwordCanary, userDataCanary, tokenCanary} {
		if strings.Contains(text.Text, canary) {
			t.Errorf("call %s: a secret reached the client: %s", name, text.Text)
		}
	}
	return structured, res.IsError
}

func TestListTools(t *testing.T) {
	for _, allow := range []bool{false, true} {
		t.Run(map[bool]string{false: "read only", true: "allow changes"}[allow], func(t *testing.T) {
			f := newFixture(t, allow)
			cs := f.connect(t, nil)
			res, err := cs.ListTools(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			schemas := map[string]string{}
			for _, tl := range res.Tools {
				names = append(names, tl.Name)
				b, _ := json.Marshal(tl.InputSchema)
				schemas[tl.Name] = string(b)
			}
			// The change tools are reachable only through propose_plan.
			want := []string{"describe_tool", "propose_plan", "vm__list", "vm__show"}
			if diff := cmp.Diff(want, names); diff != "" {
				t.Errorf("tools (-want +got):\n%s", diff)
			}
			// The scope-redirecting argument is not offered.
			if strings.Contains(schemas["vm__list"], "project") {
				t.Errorf("vm__list offers project: %s", schemas["vm__list"])
			}
			if !strings.Contains(schemas["propose_plan"], `"enum":["vm.delete","vm.stop"]`) {
				t.Errorf("propose_plan does not offer the change tools: %s", schemas["propose_plan"])
			}
		})
	}
}

func TestRead(t *testing.T) {
	f := newFixture(t, false)
	cs := f.connect(t, nil)
	tests := []struct {
		name    string
		tool    string
		args    any
		isError bool
		check   func(t *testing.T, got map[string]any)
	}{
		{
			name: "list as rows, secret columns left out",
			tool: "vm__list", args: map[string]any{"status": "ACTIVE"},
			check: func(t *testing.T, got map[string]any) {
				want := map[string]any{"rows": []any{
					map[string]any{"ID": "id-1", "Name": "web-1", "Status": "ACTIVE"},
					map[string]any{"ID": "id-2", "Name": "db-1", "Status": "SHUTOFF"},
				}}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("result (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "record without secrets, long text cut",
			tool: "vm__show", args: map[string]any{"vm": "web-1"},
			check: func(t *testing.T, got map[string]any) {
				rec, _ := got["record"].(map[string]any)
				if rec["name"] != "web-1" {
					t.Errorf("record = %v", rec)
				}
				for _, k := range []string{"OS-EXT-SRV-ATTR:user_data", "adminPass"} {
					if _, ok := rec[k]; ok {
						t.Errorf("record has %s", k)
					}
				}
				console, _ := rec["console"].(string)
				if len(console) > 600 || !strings.Contains(console, "lines omitted") {
					t.Errorf("console not cut to the budget (%d chars)", len(console))
				}
			},
		},
		{
			name: "arguments the schema refuses", tool: "vm__list", args: map[string]any{"status": "BROKEN"}, isError: true,
			check: func(t *testing.T, got map[string]any) {
				if got["status"] != "invalid" || got["retryable"] != true {
					t.Errorf("result = %v", got)
				}
			},
		},
		{
			name: "a scope argument is refused", tool: "vm__list", args: map[string]any{"project": "other"}, isError: true,
			check: func(t *testing.T, got map[string]any) {
				if got["status"] != "invalid" || !strings.Contains(strings.Join(toStrings(got["errors"]), " "), "project may not be set by an MCP client") {
					t.Errorf("result = %v", got)
				}
			},
		},
		{
			name: "a failure is a result, redacted", tool: "vm__show", args: map[string]any{"vm": "gone"}, isError: true,
			check: func(t *testing.T, got map[string]any) {
				want := map[string]any{"status": "failed", "retryable": true, "errors": []any{"no server named gone (X-Auth-Token: <redacted>"}}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("result (-want +got):\n%s", diff)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, isError := call(t, cs, tt.tool, tt.args)
			if isError != tt.isError {
				t.Errorf("isError = %v, want %v (%v)", isError, tt.isError, got)
			}
			tt.check(t, got)
		})
	}
	if got := f.audit.Events(" ", "Event", "Origin"); len(got) != 0 {
		t.Errorf("reads were audited: %v", got)
	}
	// A change tool is no tool here: the client must propose a plan.
	if _, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "vm__stop", Arguments: map[string]any{"vm": "web-1"}}); err == nil {
		t.Error("vm__stop was called directly")
	}
	if got := f.world.calls(); slices.Contains(got, `vm.stop {"vm":"web-1"}`) {
		t.Errorf("vm.stop ran: %v", got)
	}
}

func TestDescribeTool(t *testing.T) {
	f := newFixture(t, true)
	cs := f.connect(t, nil)
	got, isError := call(t, cs, "describe_tool", map[string]any{"name": "vm.stop"})
	if isError || got["tool"] != "vm.stop" || got["effect"] != "change" {
		t.Errorf("describe_tool = %v (isError %v)", got, isError)
	}
}

func stopPlan(vm string) map[string]any {
	return map[string]any{"goal": "stop " + vm, "steps": []any{
		map[string]any{"id": "stop", "tool": "vm.stop", "args": map[string]any{"vm": vm}, "why": "maintenance"},
	}}
}

func TestProposePlan(t *testing.T) {
	approve := &mcp.ElicitResult{Action: "accept", Content: map[string]any{"approve": true}}
	tests := []struct {
		name         string
		allowChanges bool
		elicit       *elicit // nil: the client cannot elicit
		plan         any
		want         map[string]any // status, retryable, errors (the rest is checked apart)
		ran          []string
		audit        []string
		asked        int
	}{
		{
			name: "refused without --allow-changes", plan: stopPlan("web-1"),
			want: map[string]any{"status": "denied", "retryable": false, "errors": []any{changesOff}},
		},
		{
			name: "refused for a client without elicitation", allowChanges: true, plan: stopPlan("web-1"),
			want:  map[string]any{"status": "denied", "retryable": false, "errors": []any{noElicitation}},
			audit: []string{"denied mcp"},
		},
		{
			name: "declined", allowChanges: true, plan: stopPlan("web-1"),
			elicit: &elicit{answer: &mcp.ElicitResult{Action: "decline"}},
			want:   map[string]any{"status": "denied", "retryable": false, "errors": []any{"not approved; nothing was changed"}},
			audit:  []string{"denied mcp"},
			asked:  1,
		},
		{
			name: "accepted without the tick is a no, with its reason", allowChanges: true, plan: stopPlan("web-1"),
			elicit: &elicit{answer: &mcp.ElicitResult{Action: "accept", Content: map[string]any{"approve": false, "reason": "not during business hours"}}},
			want: map[string]any{"status": "denied", "retryable": false, "errors": []any{
				"not approved (not during business hours); nothing was changed", "the person said: not during business hours",
			}},
			audit: []string{"denied mcp"},
			asked: 1,
		},
		{
			name: "dismissed", allowChanges: true, plan: stopPlan("web-1"),
			elicit: &elicit{answer: &mcp.ElicitResult{Action: "cancel"}},
			want:   map[string]any{"status": "denied", "retryable": false, "errors": []any{"not approved; nothing was changed"}},
			audit:  []string{"denied mcp"},
			asked:  1,
		},
		{
			name: "accepted without the tick and without a reason", allowChanges: true, plan: stopPlan("web-1"),
			elicit: &elicit{answer: &mcp.ElicitResult{Action: "accept", Content: map[string]any{"approve": false}}},
			want:   map[string]any{"status": "denied", "retryable": false, "errors": []any{"not approved; nothing was changed"}},
			audit:  []string{"denied mcp"},
			asked:  1,
		},
		{
			name: "approved", allowChanges: true, plan: stopPlan("web-1"),
			elicit: &elicit{answer: approve},
			want:   map[string]any{"status": "ok", "retryable": false},
			ran:    []string{`vm.stop {"vm":"web-1"}`},
			audit:  []string{"approval mcp", "start mcp", "step mcp"},
			asked:  1,
		},
		{
			name: "the client fails to ask", allowChanges: true, plan: stopPlan("web-1"),
			elicit: &elicit{err: errors.New("no window to show it in")},
			want: map[string]any{"status": "denied", "retryable": false, "errors": []any{
				`the MCP client did not show the plan to a person (calling "elicitation/create": no window to show it in), so it was not run; nothing was changed`,
			}},
			audit: []string{"denied mcp"},
			asked: 1,
		},
		{
			name: "invalid plan", allowChanges: true, elicit: &elicit{answer: approve},
			plan: map[string]any{"goal": "stop", "steps": []any{map[string]any{"id": "s", "tool": "vm.stop", "args": map[string]any{"vm": 3}}}},
			want: map[string]any{"status": "invalid", "retryable": true, "errors": []any{"step s: --vm must be a string, not a number"}},
		},
		{
			name: "no such tool", allowChanges: true, elicit: &elicit{answer: approve},
			plan: map[string]any{"goal": "g", "steps": []any{map[string]any{"id": "s", "tool": "vm.nope", "args": map[string]any{}}}},
		},
		{
			name: "an approval smuggled into the plan is refused", allowChanges: true, elicit: &elicit{answer: approve},
			plan: map[string]any{"goal": "g", "approved": true, "steps": []any{map[string]any{"id": "s", "tool": "vm.stop", "args": map[string]any{"vm": "a"}}}},
			want: map[string]any{"status": "invalid", "retryable": true, "errors": []any{
				`propose_plan takes {goal, steps: [{id, tool, args, why}]}: json: unknown field "approved"`,
			}},
		},
		{
			name: "a scope argument in a step is refused", allowChanges: true, elicit: &elicit{answer: approve},
			plan: map[string]any{"goal": "g", "steps": []any{map[string]any{"id": "s", "tool": "vm.stop", "args": map[string]any{"vm": "a", "cloud": "prod"}}}},
			want: map[string]any{"status": "invalid", "retryable": false, "errors": []any{
				"step s: cloud may not be set by an MCP client; they are chosen when ostui mcp starts",
			}},
		},
		{
			name: "blocked", allowChanges: true, plan: stopPlan("locked"),
			elicit: &elicit{answer: approve},
			want:   map[string]any{"status": "blocked", "retryable": true, "errors": []any{"step stop: vm locked is locked"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.allowChanges)
			cs := f.connect(t, tt.elicit)
			got, isError := call(t, cs, "propose_plan", tt.plan)
			if tt.want == nil {
				// Only the status matters.
				if got["status"] != "invalid" || !isError {
					t.Errorf("result = %v", got)
				}
			} else {
				short := map[string]any{}
				for _, k := range []string{"status", "retryable", "errors"} {
					if v, ok := got[k]; ok {
						short[k] = v
					}
				}
				if diff := cmp.Diff(tt.want, short); diff != "" {
					t.Errorf("result (-want +got):\n%s\nwhole: %v", diff, got)
				}
				if isError != (tt.want["status"] != "ok") {
					t.Errorf("isError = %v for status %v", isError, tt.want["status"])
				}
			}
			if diff := cmp.Diff(tt.ran, f.world.calls()); diff != "" {
				t.Errorf("ran (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.audit, f.audit.Events(" ", "Event", "Origin")); diff != "" {
				t.Errorf("audit (-want +got):\n%s", diff)
			}
			asked := 0
			if tt.elicit != nil {
				asked = len(tt.elicit.messages)
				for _, m := range tt.elicit.messages {
					if !strings.Contains(m, "Plan: stop web-1") || !strings.Contains(m, "POST /servers/id/action") {
						t.Errorf("the person was not shown the review:\n%s", m)
					}
				}
			}
			if asked != tt.asked {
				t.Errorf("the person was asked %d times, want %d", asked, tt.asked)
			}
			if tt.asked > 0 && !strings.Contains(got["review"].(string), "Plan: stop web-1") {
				t.Errorf("the result has no review: %v", got)
			}
		})
	}
}

// TestProposePlanFailsPartWay: a plan that fails after a step ran comes
// back failed, redacted, with the plan that undoes what ran, for the
// client to propose in its turn; nothing is undone unasked.
func TestProposePlanFailsPartWay(t *testing.T) {
	f := newFixture(t, true)
	cs := f.connect(t, &elicit{answer: &mcp.ElicitResult{Action: "accept", Content: map[string]any{"approve": true}}})
	got, isError := call(t, cs, "propose_plan", map[string]any{"goal": "stop two", "steps": []any{
		map[string]any{"id": "a", "tool": "vm.stop", "args": map[string]any{"vm": "web-1"}},
		map[string]any{"id": "b", "tool": "vm.stop", "args": map[string]any{"vm": "boom"}},
	}})
	if !isError || got["status"] != "failed" {
		t.Fatalf("result = %v", got)
	}
	want := map[string]any{"goal": "undo: stop two", "steps": []any{
		map[string]any{"id": "undo-a", "tool": "vm.delete", "args": map[string]any{"vm": "web-1"}, "why": "undo vm.stop"},
	}}
	if diff := cmp.Diff(want, got["undo"]); diff != "" {
		t.Errorf("undo (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{`vm.stop {"vm":"web-1"}`, `vm.stop {"vm":"boom"}`}, f.world.calls()); diff != "" {
		t.Errorf("ran (-want +got):\n%s", diff)
	}
}

// TestEnginePerSession: two clients of one server get engines of their
// own (grants, caches and turns never cross).
func TestEnginePerSession(t *testing.T) {
	f := newFixture(t, true)
	n := 0
	next := f.srv.cfg.NewEngine
	f.srv.cfg.NewEngine = func() *session.Engine { n++; return next() }
	for range 2 {
		cs := f.connect(t, nil)
		call(t, cs, "vm__list", nil)
		call(t, cs, "vm__list", nil)
	}
	if n != 2 {
		t.Errorf("%d engines made for two sessions, want 2", n)
	}
}

func TestNew(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New without a registry made a server")
	}
}

func toStrings(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, e := range l {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

// TestShippedTools: every read tool ostui ships is offered (its schema
// fits MCP: an object at the root), and no change tool is.
func TestShippedTools(t *testing.T) {
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Registry: reg, NewEngine: func() *session.Engine { return &session.Engine{Registry: reg} }})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{srv: srv}
	cs := f.connect(t, nil)
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	offered := map[string]bool{}
	for _, tl := range res.Tools {
		offered[tl.Name] = true
	}
	reads := 0
	for _, tl := range reg.Tools() {
		fn := session.FunctionName(tl.Name)
		switch {
		case tl.PersonOnly && offered[fn]:
			t.Errorf("person-only tool %s is offered to an MCP client", tl.Name)
		case tl.PersonOnly:
			continue
		case tl.Effect == tools.Read && !offered[fn]:
			t.Errorf("read tool %s is not offered", tl.Name)
		case tl.Effect != tools.Read && offered[fn]:
			t.Errorf("change tool %s is offered", tl.Name)
		}
		if tl.Effect == tools.Read {
			reads++
		}
	}
	if len(res.Tools) != reads+2 {
		t.Errorf("%d tools offered, want %d reads + propose_plan + describe_tool", len(res.Tools), reads)
	}
}
