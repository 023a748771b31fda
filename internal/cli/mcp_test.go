package cli

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/iostreams"
)

func TestParseMCPFlags(t *testing.T) {
	tests := []struct {
		name    string
		before  []string // global flags before the word mcp
		args    []string
		want    mcpOptions
		cloud   string
		wantErr string
	}{
		{name: "nothing", want: mcpOptions{}},
		{name: "all of its own", args: []string{"--allow-changes", "--http", "127.0.0.1:8765", "--http-any"},
			want: mcpOptions{allowChanges: true, http: "127.0.0.1:8765", httpAny: true}},
		{name: "a cloud after mcp", args: []string{"--os-cloud", "devcloud"}, cloud: "devcloud"},
		{name: "after mcp beats before", before: []string{"--os-cloud", "prod"}, args: []string{"--os-cloud=devcloud"}, cloud: "devcloud"},
		{name: "before mcp is kept", before: []string{"--os-cloud", "prod"}, args: []string{"--allow-changes"},
			want: mcpOptions{allowChanges: true}, cloud: "prod"},
		{name: "help", args: []string{"-h"}, want: mcpOptions{help: true}},
		{name: "an unknown flag", args: []string{"--nope"}, wantErr: "unknown flag --nope"},
		{name: "an argument", args: []string{"serve"}, wantErr: `unexpected argument "serve"`},
		{name: "-c does not go with mcp", args: []string{"-c", "/server list"}, wantErr: "-c does not go with mcp"},
		{name: "a bad timeout", args: []string{"--timeout", "0s"}, wantErr: "--timeout must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(append(tt.before, "mcp"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseMCPFlags(tt.args, o)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got, cmp.AllowUnexported(mcpOptions{})); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
			if o.flags.Cloud != tt.cloud {
				t.Errorf("cloud = %q, want %q", o.flags.Cloud, tt.cloud)
			}
		})
	}
}

func TestRunMCPRefuses(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "a public address", args: []string{"--http", "0.0.0.0:8765"}, wantErr: "add --http-any"},
		{name: "--http-any alone", args: []string{"--http-any"}, wantErr: "--http-any goes with --http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			o, err := parseFlags([]string{"mcp"})
			if err != nil {
				t.Fatal(err)
			}
			err = runMCP(t.Context(), ios, tt.args, o, func(string) string { return "" })
			var ue *usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want a usage error with %q", err, tt.wantErr)
			}
		})
	}
	o, _ := parseFlags([]string{"--read-only", "mcp"})
	ios, _, _, _ := iostreams.Test()
	if err := runMCP(t.Context(), ios, []string{"--allow-changes"}, o, func(string) string { return "" }); err == nil {
		t.Error("--read-only with --allow-changes was accepted")
	}
}

// TestRunMCPStdio drives ostui mcp over its standard input and output
// with the SDK's client, without a cloud: the tools are listed, a read
// explains that no cloud is configured, a plan is refused without
// --allow-changes, and nothing but the protocol reaches standard output.
func TestRunMCPStdio(t *testing.T) {
	clientIn, serverOut := io.Pipe()
	serverIn, clientOut := io.Pipe()
	ios, _, _, errOut := iostreams.Test()
	ios.In, ios.Out = serverIn, serverOut
	dir := t.TempDir()
	env := map[string]string{"OSTUI_STATE_DIR": dir, "OSTUI_CACHE_DIR": dir, "OS_CLIENT_CONFIG_FILE": dir + "/none.yaml", "HOME": dir}
	getenv := func(k string) string { return env[k] }
	o, err := parseFlags([]string{"mcp"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- runMCP(ctx, ios, nil, o, getenv) }()
	client := mcp.NewClient(&mcp.Implementation{Name: "cli-test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcp.IOTransport{Reader: clientIn, Writer: clientOut}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, tl := range tools.Tools {
		names[tl.Name] = true
	}
	for _, want := range []string{"server__list", "flavor__list", "propose_plan", "describe_tool"} {
		if !names[want] {
			t.Errorf("no tool %s", want)
		}
	}
	if names["server__stop"] {
		t.Error("server__stop is offered")
	}
	read := structured(t, cs, "flavor__list", map[string]any{})
	if read["status"] != "failed" {
		t.Errorf("flavor__list without a cloud = %v", read)
	}
	propose := structured(t, cs, "propose_plan", map[string]any{"goal": "g", "steps": []any{}})
	if propose["status"] != "denied" || !strings.Contains(strings.Join(stringsOf(propose["errors"]), " "), "--allow-changes") {
		t.Errorf("propose_plan = %v", propose)
	}
	_ = cs.Close()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("runMCP: %v", err)
	}
	if !strings.Contains(errOut.String(), "ostui mcp: serving") {
		t.Errorf("stderr = %q", errOut.String())
	}
	var cfg config.Flags
	if o.flags != cfg {
		t.Errorf("flags changed: %+v", o.flags)
	}
}

func structured(t *testing.T, cs *mcp.ClientSession, name string, args any) map[string]any {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	b, _ := json.Marshal(res.StructuredContent)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	return m
}

func stringsOf(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}
