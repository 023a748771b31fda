package mcpserver

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestCheckListen(t *testing.T) {
	tests := []struct {
		addr    string
		any     bool
		wantErr string
	}{
		{addr: "127.0.0.1:8765"},
		{addr: "[::1]:8765"},
		{addr: "localhost:8765"},
		{addr: "127.0.0.2:0"},
		{addr: "0.0.0.0:8765", wantErr: "listens on 0.0.0.0, which other machines can reach"},
		{addr: ":8765", wantErr: "listens on every interface"},
		{addr: "192.0.2.7:8765", wantErr: "add --http-any"},
		{addr: "0.0.0.0:8765", any: true},
		{addr: "8765", wantErr: "--http takes HOST:PORT"},
		{addr: "127.0.0.1:", wantErr: "the port is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := CheckListen(tt.addr, tt.any)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("CheckListen(%q) = %v", tt.addr, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("CheckListen(%q) = %v, want %q", tt.addr, err, tt.wantErr)
			}
		})
	}
}

// TestHTTP is a smoke test of streamable HTTP on loopback: tools listed,
// a read, and a plan approved through elicitation, which over HTTP
// travels on the open call's stream.
func TestHTTP(t *testing.T) {
	f := newFixture(t, true)
	ctx, cancel := context.WithCancel(t.Context())
	addrs := make(chan net.Addr, 1)
	served := make(chan error, 1)
	go func() { served <- f.srv.ListenAndServe(ctx, "127.0.0.1:0", func(a net.Addr) { addrs <- a }) }()
	var addr net.Addr
	select {
	case addr = <-addrs:
	case err := <-served:
		t.Fatalf("the server did not start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	e := &elicit{answer: &mcp.ElicitResult{Action: "accept", Content: map[string]any{"approve": true}}}
	client := mcp.NewClient(&mcp.Implementation{Name: "http-test", Version: "1"}, &mcp.ClientOptions{ElicitationHandler: e.handle})
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: "http://" + addr.String()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cs.Close() }()
	res, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tools) != 4 {
		t.Errorf("%d tools, want 4", len(res.Tools))
	}
	got, _ := call(t, cs, "vm__list", nil)
	if rows, _ := got["rows"].([]any); len(rows) != 2 {
		t.Errorf("vm__list = %v", got)
	}
	got, _ = call(t, cs, "propose_plan", stopPlan("web-1"))
	if got["status"] != "ok" {
		t.Errorf("propose_plan = %v", got)
	}
	if diff := cmp.Diff([]string{"approval mcp", "start mcp", "step mcp"}, f.audit.Events(" ", "Event", "Origin")); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	if len(e.messages) != 1 {
		t.Errorf("the person was asked %d times, want 1", len(e.messages))
	}

	// A page on another site cannot drive the server from a browser, and
	// a name that resolves to loopback (DNS rebinding) is refused.
	for name, mod := range map[string]func(*http.Request){
		"cross-origin": func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") },
		"rebinding":    func(r *http.Request) { r.Host = "evil.example:80" },
	} {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr.String(), strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			mod(req)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", resp.StatusCode)
			}
		})
	}
}
