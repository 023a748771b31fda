package toolstest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
)

// Tool returns the tool called name in toolList (a package's Tools()),
// and fails the test at once when there is none. The tool comes back
// with its schema in front of it, as the gate puts it there: its Check,
// Preview and Run fail the test when given arguments the schema refuses,
// so a test cannot exercise a tool with arguments no caller could send.
func Tool(t testing.TB, toolList []tools.Tool, name string) tools.Tool {
	t.Helper()
	for _, tl := range toolList {
		if tl.Name == name {
			return guarded(t, tl)
		}
	}
	t.Fatalf("no tool %s", name)
	return tools.Tool{}
}

// guarded wraps tl's functions so each validates its arguments against
// tl's real schema first.
func guarded(t testing.TB, tl tools.Tool) tools.Tool {
	reg := Registry(t, []tools.Tool{tl})
	valid := func(what string, args tools.Args) {
		t.Helper()
		if err := reg.Validate(tl.Name, args); err != nil {
			t.Fatalf("toolstest: %s of %s with %s, which its schema refuses (the gate would never pass them): %v", what, tl.Name, args, err)
		}
	}
	out := tl
	if run := tl.Run; run != nil {
		out.Run = func(ctx context.Context, env *tools.Env, args tools.Args) (*tools.Result, error) {
			valid("Run", args)
			return run(ctx, env, args)
		}
	}
	if check := tl.Check; check != nil {
		out.Check = func(ctx context.Context, env *tools.Env, args tools.Args) (*tools.Check, error) {
			valid("Check", args)
			return check(ctx, env, args)
		}
	}
	if preview := tl.Preview; preview != nil {
		out.Preview = func(ctx context.Context, env *tools.Env, args tools.Args, chk *tools.Check) (*tools.Preview, error) {
			valid("Preview", args)
			return preview(ctx, env, args, chk)
		}
	}
	return out
}

// Run marshals args to JSON and runs the tool called name in toolList
// against env, with the test's context, after validating them against
// the tool's schema. A failure to marshal args, arguments the schema
// refuses or a missing tool fail the test at once; the tool's own error
// is returned.
func Run(t testing.TB, env *tools.Env, toolList []tools.Tool, name string, args any) (*tools.Result, error) {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	tl := Tool(t, toolList, name)
	return tl.Run(t.Context(), env, raw)
}
