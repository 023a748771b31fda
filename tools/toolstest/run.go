package toolstest

import (
	"encoding/json"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
)

// Tool returns the tool called name in toolList (a package's Tools()),
// and fails the test at once when there is none.
func Tool(t testing.TB, toolList []tools.Tool, name string) tools.Tool {
	t.Helper()
	for _, tl := range toolList {
		if tl.Name == name {
			return tl
		}
	}
	t.Fatalf("no tool %s", name)
	return tools.Tool{}
}

// Run marshals args to JSON and runs the tool called name in toolList
// against env, with the test's context. A failure to marshal args or a
// missing tool fails the test at once; the tool's own error is returned.
func Run(t testing.TB, env *tools.Env, toolList []tools.Tool, name string, args any) (*tools.Result, error) {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	tl := Tool(t, toolList, name)
	return tl.Run(t.Context(), env, raw)
}
