package browse

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/views"
	"github.com/kriscelmer/os-tui/internal/views/viewstest"
	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// TestActionRunsThroughTheEngine drives the whole program as a person
// would: S on a server opens the engine's review in the plan-review
// view, y approves, and the session engine (gate, executor) runs the
// change tool; the list is read again afterwards.
func TestActionRunsThroughTheEngine(t *testing.T) {
	var mu sync.Mutex
	var ran []string
	list := viewstest.Servers(3)
	serverList := tools.Tool{Name: "server.list", Effect: tools.Read, Service: "compute",
		Run: func(context.Context, *tools.Env, tools.Args) (*tools.Result, error) {
			return &tools.Result{List: list}, nil
		}}
	stop := tools.Tool{Name: "server.stop", Effect: tools.Change, Service: "compute",
		Check: func(_ context.Context, _ *tools.Env, args tools.Args) (*tools.Check, error) {
			var a struct{ Server string }
			_ = json.Unmarshal(args, &a)
			return &tools.Check{Targets: []tools.Target{{Kind: "server", ID: a.Server, Name: "web-0"}},
				Findings: []tools.Finding{{Level: tools.Info, Text: "server web-0 is ACTIVE"}}}, nil
		},
		Preview: func(_ context.Context, _ *tools.Env, args tools.Args, _ *tools.Check) (*tools.Preview, error) {
			return &tools.Preview{Requests: []tools.Request{{Method: "POST", URL: "https://nova/servers/x/action", Body: map[string]any{"os-stop": nil}}}}, nil
		},
		Run: func(_ context.Context, _ *tools.Env, args tools.Args) (*tools.Result, error) {
			mu.Lock()
			ran = append(ran, string(args))
			mu.Unlock()
			return &tools.Result{Message: "stop requested"}, nil
		}}
	reg := engineRegistry(t, []tools.Tool{serverList, stop})
	fc := toolstest.New(t)
	eng := &session.Engine{Registry: reg, Env: func() (*tools.Env, error) { return fc.Env(), nil }}

	d := views.Deps{Backend: views.EngineBackend{Engine: eng}, Ctx: t.Context(), Styles: views.NewStyles(false), Now: func() time.Time { return at }}
	m, err := New(d, Options{Resource: "servers"})
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, views.Frame{Model: m}, teatest.WithInitialTermSize(110, 20))
	out := tm.Output()
	waitFor(t, out, "web-2")
	tm.Send(tea.KeyPressMsg{Code: 's', ShiftedCode: 'S', Mod: tea.ModShift, Text: "S"})
	waitFor(t, out, "Review plan: /server stop web-0")
	tm.Send(tea.KeyPressMsg{Code: 'y', Text: "y"})
	waitFor(t, out, "stop: ok")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	mu.Lock()
	defer mu.Unlock()
	if len(ran) != 1 || ran[0] != `{"server":"00000000-0000-4000-8000-000000000000"}` {
		t.Errorf("the engine ran server.stop with %v", ran)
	}
}

// waitFor reads the program's output until it shows want.
func waitFor(t *testing.T, out interface{ Read([]byte) (int, error) }, want string) {
	t.Helper()
	var seen bytes.Buffer
	teatest.WaitFor(t, out, func(b []byte) bool {
		seen.Write(b)
		return strings.Contains(seen.String(), want)
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// engineRegistry is a registry of toolList with the schemas the gate
// also reads (the plan's).
func engineRegistry(t *testing.T, toolList []tools.Tool) *tools.Registry {
	t.Helper()
	files := fstest.MapFS{}
	names := []string{"defs", "plan"}
	for _, tl := range toolList {
		names = append(names, tl.Name)
	}
	for _, n := range names {
		b, err := fs.ReadFile(schemas.FS, n+".schema.json")
		if err != nil {
			t.Fatal(err)
		}
		files[n+".schema.json"] = &fstest.MapFile{Data: b}
	}
	reg, err := tools.NewRegistry(files, schemas.BaseURL, toolList)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}
