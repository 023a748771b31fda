package tools

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestChangeTool proves the preamble ChangeTool does for every change
// tool: a subject made by an earlier step is noted without calling Check,
// and Preview gets the arguments as Check resolved them.
func TestChangeTool(t *testing.T) {
	type args struct {
		Server string `json:"server"`
		Name   string `json:"name,omitempty"`
	}
	var checked []string
	var previewed []args
	tool := ChangeTool(ChangeSpec[args]{
		Name: "thing.rename", Effect: Change, Service: "compute",
		Subject: func(a args) (string, string) { return "server", a.Server },
		Check: func(_ context.Context, _ *Env, a args) (*Check, error) {
			checked = append(checked, a.Server)
			return &Check{Resolved: JSON(args{Server: "id-of-" + a.Server, Name: a.Name})}, nil
		},
		Preview: func(_ context.Context, _ *Env, a args, _ *Check) (*Preview, error) {
			previewed = append(previewed, a)
			return &Preview{}, nil
		},
		Run: func(context.Context, *Env, args) (*Result, error) { return &Result{}, nil },
	})
	ctx := t.Context()

	t.Run("a referenced subject is noted, not looked up", func(t *testing.T) {
		checked = nil
		chk, err := tool.Check(ctx, nil, Args(`{"server": "${web.id}"}`))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(Referenced("server", "${web.id}"), chk); diff != "" {
			t.Errorf("check (-want +got):\n%s", diff)
		}
		if want := "server ${web.id} comes from an earlier step"; chk.Findings[0].Text != want {
			t.Errorf("finding = %q, want %q", chk.Findings[0].Text, want)
		}
		if len(checked) != 0 {
			t.Errorf("Check called with %v", checked)
		}
	})
	t.Run("a named subject goes to Check, and Preview gets what it resolved", func(t *testing.T) {
		checked, previewed = nil, nil
		raw := Args(`{"server": "web-1", "name": "web-2"}`)
		chk, err := tool.Check(ctx, nil, raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tool.Preview(ctx, nil, raw, chk); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"web-1"}, checked); diff != "" {
			t.Errorf("checked (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]args{{Server: "id-of-web-1", Name: "web-2"}}, previewed); diff != "" {
			t.Errorf("previewed (-want +got):\n%s", diff)
		}
	})
	t.Run("without a preflight Preview gets the arguments as given", func(t *testing.T) {
		previewed = nil
		if _, err := tool.Preview(ctx, nil, Args(`{"server": "web-1"}`), nil); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]args{{Server: "web-1"}}, previewed); diff != "" {
			t.Errorf("previewed (-want +got):\n%s", diff)
		}
	})
}

func TestServiceLabel(t *testing.T) {
	tests := []struct{ service, want string }{
		{"network", "network"},
		{"metric|metering", "metric or metering"},
		{"metric|metering|monitoring", "metric, metering or monitoring"},
	}
	for _, tt := range tests {
		if got := ServiceLabel(tt.service); got != tt.want {
			t.Errorf("ServiceLabel(%q) = %q, want %q", tt.service, got, tt.want)
		}
	}
}
