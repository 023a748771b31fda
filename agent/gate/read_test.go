package gate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func schema(name string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(`{"$id": "https://ostui.dev/schemas/` + name + `.schema.json", "type": "object", "additionalProperties": false, "properties": {"n": {"type": "integer"}}}`)}
}

func TestRead(t *testing.T) {
	ran := map[string]bool{}
	run := func(name string) tools.RunFunc {
		return func(context.Context, *tools.Env, tools.Args) (*tools.Result, error) {
			ran[name] = true
			return &tools.Result{Text: name}, nil
		}
	}
	reg, err := tools.NewRegistry(fstest.MapFS{
		"thing.list.schema.json":   schema("thing.list"),
		"thing.delete.schema.json": schema("thing.delete"),
		"orbit.list.schema.json":   schema("orbit.list"),
	}, "https://ostui.dev/schemas/", []tools.Tool{
		{Name: "thing.list", Summary: "s", Service: "compute", Effect: tools.Read, Run: run("thing.list")},
		{Name: "thing.delete", Summary: "s", Service: "compute", Effect: tools.Destroy, Run: run("thing.delete"),
			Check: func(context.Context, *tools.Env, tools.Args) (*tools.Check, error) { return &tools.Check{}, nil },
			Preview: func(context.Context, *tools.Env, tools.Args, *tools.Check) (*tools.Preview, error) {
				return &tools.Preview{}, nil
			}},
		{Name: "orbit.list", Summary: "s", Service: "orbit", Effect: tools.Read, Run: run("orbit.list")},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		tool, args string
		wantErr    string
		wantRan    bool
	}{
		{tool: "thing.list", args: `{"n": 1}`, wantRan: true},
		{tool: "thing.list", args: `{"n": "x"}`, wantErr: "--n must be an integer"},
		{tool: "thing.delete", args: `{}`, wantErr: "destroy tool: it needs a plan"},
		{tool: "orbit.list", args: `{}`, wantErr: "needs the orbit service"},
		{tool: "nope", args: `{}`, wantErr: `unknown tool "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.tool+tt.args, func(t *testing.T) {
			clear(ran)
			env := toolstest.New(t).Env()
			res, err := Read(t.Context(), reg, env, tt.tool, tools.Args(tt.args))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
			} else if err != nil || res.Text != tt.tool {
				t.Fatalf("res, err = %v, %v", res, err)
			}
			if ran[tt.tool] != tt.wantRan {
				t.Errorf("ran = %v, want %v", ran[tt.tool], tt.wantRan)
			}
		})
	}
	var nr *ErrNotRead
	_, err = Read(t.Context(), reg, toolstest.New(t).Env(), "thing.delete", nil)
	if !errors.As(err, &nr) {
		t.Errorf("err = %T, want *ErrNotRead", err)
	}
}

func TestServiceMissingMessage(t *testing.T) {
	tool := &tools.Tool{Name: "server.list", Service: "compute"}
	tests := []struct {
		err  ServiceMissingError
		want string
	}{
		{ServiceMissingError{Tool: tool, Service: "compute"}, "catalog does not have"},
		{ServiceMissingError{Tool: tool, Service: "compute", Region: "Nowhere", Regions: []string{"RegionOne", "RegionTwo"}}, `no endpoints in region "Nowhere"; its regions are: RegionOne, RegionTwo`},
		{ServiceMissingError{Tool: tool, Service: "compute", Region: "RegionOne", Regions: []string{"RegionOne"}}, "catalog does not have"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); !strings.Contains(got, tt.want) {
			t.Errorf("%+v: %q lacks %q", tt.err, got, tt.want)
		}
	}
}

// refreshingClients is a connection whose cached catalog lacks a service
// that a fresh login's catalog has.
type refreshingClients struct {
	*toolstest.Cloud
	refreshes int
	fresh     bool
}

func (r *refreshingClients) RefreshCatalog(context.Context) (bool, error) {
	r.refreshes++
	if r.fresh {
		return false, nil
	}
	r.fresh = true
	r.Caps.Services["orbit"] = cloud.Service{Type: "orbit"}
	return true, nil
}

func TestReadRefreshesAStaleCatalogOnce(t *testing.T) {
	reg, err := tools.NewRegistry(fstest.MapFS{"orbit.list.schema.json": schema("orbit.list")}, "https://ostui.dev/schemas/", []tools.Tool{
		{Name: "orbit.list", Summary: "s", Service: "orbit", Effect: tools.Read, Run: func(context.Context, *tools.Env, tools.Args) (*tools.Result, error) {
			return &tools.Result{Text: "ran"}, nil
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tc := toolstest.New(t)
	clients := &refreshingClients{Cloud: tc}
	env := tc.Env()
	env.Clients = clients
	res, err := Read(t.Context(), reg, env, "orbit.list", tools.Args(`{}`))
	if err != nil || res.Text != "ran" {
		t.Fatalf("Read = %v, %v; want the tool run after the refresh", res, err)
	}
	// The fresh catalog has it now: no second login.
	if _, err := Read(t.Context(), reg, env, "orbit.list", tools.Args(`{}`)); err != nil {
		t.Fatal(err)
	}
	if clients.refreshes != 1 {
		t.Errorf("%d refreshes, want 1", clients.refreshes)
	}
}
