package routers

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestCreateCheck(t *testing.T) {
	tests := []struct {
		name     string
		args     string
		setup    func(t *testing.T, fc *toolstest.Cloud)
		quota    int // routers in use, of 10
		noQuota  bool
		info     []string
		warn     []string
		block    []string
		resolved string
	}{
		{
			name: "no gateway", args: `{"name": "edge"}`,
			info:     []string{"the router has no external gateway: its subnets reach each other but not outside"},
			resolved: `{"name":"edge"}`,
		},
		{
			name: "gateway by name", args: `{"name": "edge", "external_gateway": "public"}`,
			setup: func(t *testing.T, fc *toolstest.Cloud) {
				serveList(t, fc, "/networks", "networks", publicJSON, privateJSON)
			},
			info:     []string{"the router gets an address on external network public, translating its subnets' outgoing traffic to that address (SNAT)"},
			resolved: `{"name":"edge","external_gateway":"` + publicID + `"}`,
		},
		{
			name: "gateway not external", args: `{"name": "edge", "external_gateway": "private"}`,
			setup: func(t *testing.T, fc *toolstest.Cloud) {
				serveList(t, fc, "/networks", "networks", publicJSON, privateJSON)
			},
			block:    []string{"network private is not external, and a router's gateway must be on an external network; pick one of: public"},
			resolved: `{"name":"edge","external_gateway":"private"}`,
		},
		{
			name: "gateway unknown", args: `{"name": "edge", "external_gateway": "nosuch"}`,
			setup: func(t *testing.T, fc *toolstest.Cloud) {
				serveList(t, fc, "/networks", "networks", publicJSON, privateJSON)
			},
			block:    []string{`no network named or with ID "nosuch"; pick one of: public`},
			resolved: `{"name":"edge","external_gateway":"nosuch"}`,
		},
		{
			name: "no external network at all", args: `{"name": "edge", "external_gateway": "private"}`,
			setup: func(t *testing.T, fc *toolstest.Cloud) {
				serveList(t, fc, "/networks", "networks", privateJSON)
			},
			block:    []string{"this project sees no external network: ask the cloud operator for one"},
			resolved: `{"name":"edge","external_gateway":"private"}`,
		},
		{
			name: "gateway from an earlier step", args: `{"name": "edge", "external_gateway": "${ext.id}"}`,
			info:     []string{"the gateway network ${ext.id} comes from an earlier step; it must be external"},
			resolved: `{"name":"edge","external_gateway":"${ext.id}"}`,
		},
		{
			name: "snat without a gateway", args: `{"name": "edge", "enable_snat": false}`,
			setup: func(t *testing.T, fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/extensions/ext-gw-mode", http.StatusOK, `{"extension": {"alias": "ext-gw-mode"}}`)
			},
			info:     []string{"--enable-snat/--disable-snat is for admins under Neutron's default policy"},
			block:    []string{"--enable-snat and --disable-snat choose how the external gateway translates addresses, and there is none: give --external-gateway NET too"},
			resolved: `{"name":"edge","enable_snat":false}`,
		},
		{
			name: "ha on a cloud without l3-ha", args: `{"name": "edge", "ha": true}`,
			setup: func(t *testing.T, fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/extensions/l3-ha", http.StatusNotFound, `{"NeutronError": {"message": "not found"}}`)
			},
			info:     []string{"no external gateway"},
			block:    []string{"this cloud's Neutron has no l3-ha extension, so it knows nothing of --ha: leave it out"},
			resolved: `{"name":"edge","ha":true}`,
		},
		{
			name: "ha and distributed for admins", args: `{"name": "edge", "ha": true, "distributed": false}`,
			setup: func(t *testing.T, fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/extensions/l3-ha", http.StatusOK, `{"extension": {"alias": "l3-ha"}}`)
				fc.Handle("GET", toolstest.NetworkPrefix+"/extensions/dvr", http.StatusOK, `{"extension": {"alias": "dvr"}}`)
			},
			info:     []string{"no external gateway", "--ha is for admins under Neutron's default policy; a non-admin is refused", "--distributed is for admins"},
			resolved: `{"name":"edge","distributed":false,"ha":true}`,
		},
		{
			name: "name taken", args: `{"name": "r1"}`,
			info:     []string{"no external gateway"},
			warn:     []string{"a router named r1 already exists (" + r1ID + "); Neutron allows a second one"},
			resolved: `{"name":"r1"}`,
		},
		{
			name: "quota full", args: `{"name": "edge"}`, quota: 10,
			info:     []string{"no external gateway"},
			block:    []string{"the router quota is full (10 of 10); delete an unused router with /router delete or ask for more quota"},
			resolved: `{"name":"edge"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			serveList(t, fc, "/routers", "routers", r1JSON, r2JSON)
			stubQuota(fc, tt.quota, 10)
			if tt.setup != nil {
				tt.setup(t, fc)
			}
			chk, err := toolstest.Tool(t, Tools(), "router.create").Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			wantFinding(t, chk, tools.Info, tt.info...)
			wantFinding(t, chk, tools.Warn, tt.warn...)
			wantFinding(t, chk, tools.Block, tt.block...)
			if string(chk.Resolved) != tt.resolved {
				t.Errorf("resolved = %s, want %s", chk.Resolved, tt.resolved)
			}
			if diff := cmp.Diff([]tools.QuotaUse{{Service: "network", Resource: "router", InUse: tt.quota, Limit: 10, Delta: 1}}, chk.Quota); diff != "" {
				t.Errorf("quota (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreatePreviewRunUndo(t *testing.T) {
	fc := toolstest.New(t)
	wantBody := `{"router": {"name": "edge", "description": "the way out", "ha": true,
	 "external_gateway_info": {"network_id": "` + publicID + `", "enable_snat": false}}}`
	fc.HandleFunc("POST", toolstest.NetworkPrefix+"/routers", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if diff := cmp.Diff(body(t, wantBody), body(t, string(b))); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Openstack-Request-Id", "req-create")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"router": {"id": "` + r1ID + `", "name": "edge", "external_gateway_info": {"network_id": "` + publicID + `", "enable_snat": false,
		 "external_fixed_ips": [{"subnet_id": "` + pubSubID + `", "ip_address": "203.0.113.7"}]}}}`))
	})
	env := fc.Env()
	tl := toolstest.Tool(t, Tools(), "router.create")
	args := json.RawMessage(`{"name": "edge", "description": "the way out", "external_gateway": "` + publicID + `", "enable_snat": false, "ha": true}`)

	pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), env, args, &tools.Check{Fetched: &createState{gatewayName: "public"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(body(t, wantBody), body(t, string(tools.JSON(pv.Requests[0].Body)))); diff != "" {
		t.Errorf("preview body (-want +got):\n%s", diff)
	}
	if pv.Requests[0].Method != "POST" || pv.Requests[0].URL != fc.Server.URL+toolstest.NetworkPrefix+"/routers" {
		t.Errorf("preview request = %+v", pv.Requests[0])
	}
	if diff := cmp.Diff([]string{"router edge, with a gateway on network public (SNAT off)"}, pv.Creates); diff != "" {
		t.Errorf("creates (-want +got):\n%s", diff)
	}

	res, err := tl.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	if res.Message != "router edge created ("+r1ID+"); its gateway address is 203.0.113.7" {
		t.Errorf("message = %q", res.Message)
	}
	if diff := cmp.Diff(map[string]string{"id": r1ID, "name": "edge"}, res.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"req-create"}, res.RequestIDs); diff != "" {
		t.Errorf("request IDs (-want +got):\n%s", diff)
	}
	undo := tl.Undo(args, res)
	if undo == nil || undo.Tool != "router.delete" || string(undo.Args) != `{"router":"`+r1ID+`"}` {
		t.Errorf("undo = %+v", undo)
	}
	if diff := cmp.Diff([]string{"edge"}, env.Names.Of(Kind)); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

func TestCreateRunAdminOnly(t *testing.T) {
	tests := []struct {
		name, args, policy, want string
	}{
		{"ha named by the policy", `{"name": "edge", "ha": true}`, "(rule:create_router and rule:create_router:ha) is disallowed by policy",
			"Neutron refused to create router edge: --ha is for admins under its default policy; leave it out, or ask an admin to do it"},
		{"snat named by the policy", `{"name": "edge", "external_gateway": "` + publicID + `", "enable_snat": false, "distributed": true}`,
			"(rule:create_router and (rule:create_router:external_gateway_info and (rule:create_router:external_gateway_info:network_id and rule:create_router:external_gateway_info:enable_snat))) is disallowed by policy",
			"Neutron refused to create router edge: --enable-snat/--disable-snat is for admins"},
		{"no rule named", `{"name": "edge", "ha": true, "distributed": true}`, "forbidden",
			"--ha and --distributed is for admins under its default policy; leave them out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("POST", toolstest.NetworkPrefix+"/routers", http.StatusForbidden, `{"NeutronError": {"type": "HTTPForbidden", "message": "`+tt.policy+`"}}`)
			_, err := toolstest.Tool(t, Tools(), "router.create").Run(t.Context(), fc.Env(), json.RawMessage(tt.args))
			var ce *cloud.Error
			if !errors.As(err, &ce) || ce.Kind != cloud.KindForbidden {
				t.Fatalf("err = %v, want a forbidden cloud.Error", err)
			}
			if !strings.Contains(cloud.Explain(err).Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", cloud.Explain(err), tt.want)
			}
			if ce.RequestID != "req-network-v2.0-routers" {
				t.Errorf("request ID = %q", ce.RequestID)
			}
		})
	}
	// A refusal for another reason is the cloud's own.
	fc := toolstest.New(t)
	fc.Handle("POST", toolstest.NetworkPrefix+"/routers", http.StatusForbidden, `{"NeutronError": {"message": "no"}}`)
	_, err := toolstest.Tool(t, Tools(), "router.create").Run(t.Context(), fc.Env(), json.RawMessage(`{"name": "edge"}`))
	var ce *cloud.Error
	if err == nil || errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "create router edge: ") {
		t.Errorf("err = %v", err)
	}
}

func TestSetCheck(t *testing.T) {
	withFIP := func(t *testing.T, fc *toolstest.Cloud) {
		serveList(t, fc, "/floatingips", "floatingips", fipJSON)
		stubServers(fc)
	}
	tests := []struct {
		name     string
		args     string
		setup    func(t *testing.T, fc *toolstest.Cloud)
		info     []string
		warn     []string
		block    []string
		resolved string
		changes  []tools.FieldChange
	}{
		{
			name: "rename", args: `{"router": "r1", "name": "edge", "description": "new"}`,
			resolved: `{"router":"` + r1ID + `","name":"edge","description":"new"}`,
			changes:  []tools.FieldChange{{Field: "name", From: "r1", To: "edge"}, {Field: "description", From: "edge", To: "new"}},
		},
		{
			name: "rename to a taken name", args: `{"router": "r1", "name": "r2"}`,
			warn:     []string{"a router named r2 already exists (" + r2ID + ")"},
			resolved: `{"router":"` + r1ID + `","name":"r2"}`,
			changes:  []tools.FieldChange{{Field: "name", From: "r1", To: "r2"}},
		},
		{
			name: "disable", args: `{"router": "r1", "admin_state_up": false}`,
			warn:     []string{"a router that is down forwards nothing: servers behind r1 lose their way out"},
			resolved: `{"router":"` + r1ID + `","admin_state_up":false}`,
			changes:  []tools.FieldChange{{Field: "admin_state_up", From: true, To: false}},
		},
		{
			name: "nothing changes", args: `{"router": "r1", "name": "r1", "external_gateway": "public"}`,
			setup: func(t *testing.T, fc *toolstest.Cloud) {
				serveList(t, fc, "/networks", "networks", publicJSON, privateJSON)
			},
			warn:     []string{"router r1 already has these values; nothing changes"},
			resolved: `{"router":"` + r1ID + `","name":"r1","external_gateway":"` + publicID + `"}`,
		},
		{
			name: "add a gateway", args: `{"router": "r2", "external_gateway": "public"}`,
			setup: func(t *testing.T, fc *toolstest.Cloud) {
				serveList(t, fc, "/networks", "networks", publicJSON, privateJSON)
			},
			resolved: `{"router":"` + r2ID + `","external_gateway":"` + publicID + `"}`,
			changes:  []tools.FieldChange{{Field: "external_gateway", From: nil, To: "public"}},
		},
		{
			name: "gateway on an internal network", args: `{"router": "r2", "external_gateway": "private"}`,
			setup: func(t *testing.T, fc *toolstest.Cloud) {
				serveList(t, fc, "/networks", "networks", publicJSON, privateJSON)
			},
			block:    []string{"network private is not external, and a router's gateway must be on an external network; pick one of: public"},
			resolved: `{"router":"` + r2ID + `","external_gateway":"private"}`,
		},
		{
			name: "snat alone keeps the gateway's network", args: `{"router": "r1", "enable_snat": false}`,
			setup: func(t *testing.T, fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/extensions/ext-gw-mode", http.StatusOK, `{"extension": {}}`)
			},
			info:     []string{"--enable-snat/--disable-snat is for admins"},
			resolved: `{"router":"` + r1ID + `","external_gateway":"` + publicID + `","enable_snat":false}`,
			changes:  []tools.FieldChange{{Field: "enable_snat", From: true, To: false}},
		},
		{
			name: "snat without a gateway", args: `{"router": "r2", "enable_snat": true}`,
			setup: func(t *testing.T, fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/extensions/ext-gw-mode", http.StatusOK, `{"extension": {}}`)
			},
			info:     []string{"--enable-snat/--disable-snat is for admins"},
			block:    []string{"router r2 has no external gateway, and --enable-snat/--disable-snat applies to one: give --external-gateway NET too"},
			resolved: `{"router":"` + r2ID + `","enable_snat":true}`,
		},
		{
			name: "moving the gateway under a floating IP", args: `{"router": "r1", "external_gateway": "public2"}`,
			setup: func(t *testing.T, fc *toolstest.Cloud) {
				serveList(t, fc, "/networks", "networks", publicJSON, privateJSON,
					`{"id": "2b000000-0000-4000-8000-000000000003", "name": "public2", "router:external": true}`)
				withFIP(t, fc)
			},
			block:    []string{"floating IP 203.0.113.20 (→ 10.0.0.5 on server web-1) is routed through router r1, and Neutron refuses to move its gateway to another network while it is associated: disassociate it first (/server remove floating-ip web-1 203.0.113.20)"},
			resolved: `{"router":"` + r1ID + `","external_gateway":"2b000000-0000-4000-8000-000000000003"}`,
			changes:  []tools.FieldChange{{Field: "external_gateway", From: "public", To: "public2"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			serveList(t, fc, "/routers", "routers", r1JSON, r2JSON)
			stubNetworks(fc)
			if tt.setup != nil {
				tt.setup(t, fc)
			}
			tl := toolstest.Tool(t, Tools(), "router.set")
			ctx := cloud.WithReadOnly(t.Context())
			chk, err := tl.Check(ctx, fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			wantFinding(t, chk, tools.Info, tt.info...)
			wantFinding(t, chk, tools.Warn, tt.warn...)
			wantFinding(t, chk, tools.Block, tt.block...)
			if string(chk.Resolved) != tt.resolved {
				t.Errorf("resolved = %s, want %s", chk.Resolved, tt.resolved)
			}
			if chk.Blocked() {
				return
			}
			pv, err := tl.Preview(ctx, fc.Env(), json.RawMessage(tt.args), chk)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.changes, pv.Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if len(tt.changes) == 0 && len(pv.Requests) != 0 {
				t.Errorf("requests for no change: %+v", pv.Requests)
			}
		})
	}
}

func TestSetRunUndo(t *testing.T) {
	tests := []struct {
		name     string
		router   string // JSON of the router before
		args     string
		wantBody string
		undoTool string
		undoArgs string
	}{
		{
			name: "rename", router: r1JSON, args: `{"router": "` + r1ID + `", "name": "edge"}`,
			wantBody: `{"router": {"name": "edge"}}`,
			undoTool: "router.set", undoArgs: `{"router":"` + r1ID + `","name":"r1"}`,
		},
		{
			name: "a first gateway is undone by unset", router: r2JSON, args: `{"router": "` + r2ID + `", "external_gateway": "` + publicID + `"}`,
			wantBody: `{"router": {"external_gateway_info": {"network_id": "` + publicID + `"}}}`,
			undoTool: "router.unset", undoArgs: `{"router":"` + r2ID + `","external_gateway":true}`,
		},
		{
			name: "snat off is set back on", router: r1JSON, args: `{"router": "` + r1ID + `", "external_gateway": "` + publicID + `", "enable_snat": false}`,
			wantBody: `{"router": {"external_gateway_info": {"network_id": "` + publicID + `", "enable_snat": false}}}`,
			undoTool: "router.set", undoArgs: `{"router":"` + r1ID + `","external_gateway":"` + publicID + `","enable_snat":true}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			var id struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal([]byte(tt.router), &id)
			fc.Handle("GET", toolstest.NetworkPrefix+"/routers/"+id.ID, http.StatusOK, `{"router": `+tt.router+`}`)
			fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/routers/"+id.ID, func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				if diff := cmp.Diff(body(t, tt.wantBody), body(t, string(b))); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"router": ` + tt.router + `}`))
			})
			tl := toolstest.Tool(t, Tools(), "router.set")
			res, err := tl.Run(t.Context(), fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			undo := tl.Undo(json.RawMessage(tt.args), res)
			if undo == nil || undo.Tool != tt.undoTool || string(undo.Args) != tt.undoArgs {
				t.Fatalf("undo = %+v, want %s %s", undo, tt.undoTool, tt.undoArgs)
			}
			// The undo is a call its tool's schema accepts.
			if err := toolstest.Registry(t, Tools()).Validate(undo.Tool, undo.Args); err != nil {
				t.Errorf("undo args refused: %v", err)
			}
		})
	}
}

func TestUnset(t *testing.T) {
	tests := []struct {
		name   string
		router string
		fips   []string
		info   []string
		warn   []string
		block  []string
		delete []tools.Dependent
	}{
		{
			name: "a gateway", router: "r1",
			info:   []string{"router r1 leaves network public: servers behind it can no longer reach outside, and its gateway address 203.0.113.7 is released"},
			delete: []tools.Dependent{{Kind: "gateway", ID: "203.0.113.7", Name: "203.0.113.7", Fate: "on network public: deleted, its address released"}},
		},
		{
			name: "a floating IP through it", router: "r1", fips: []string{fipJSON},
			block: []string{"floating IP 203.0.113.20 (→ 10.0.0.5 on server web-1) is routed through router r1, and Neutron refuses to remove its gateway while it is associated: disassociate it first (/server remove floating-ip web-1 203.0.113.20)"},
		},
		{
			name: "no gateway", router: "r2",
			warn: []string{"router r2 has no external gateway; nothing changes"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			serveList(t, fc, "/routers", "routers", r1JSON, r2JSON)
			if tt.router == "r1" {
				stubNetworks(fc)
				serveList(t, fc, "/ports", "ports", ifaceJSON)
				serveList(t, fc, "/floatingips", "floatingips", tt.fips...)
			}
			if len(tt.fips) > 0 {
				stubServers(fc)
			}
			tl := toolstest.Tool(t, Tools(), "router.unset")
			ctx := cloud.WithReadOnly(t.Context())
			args := json.RawMessage(`{"router": "` + tt.router + `", "external_gateway": true}`)
			chk, err := tl.Check(ctx, fc.Env(), args)
			if err != nil {
				t.Fatal(err)
			}
			wantFinding(t, chk, tools.Info, tt.info...)
			wantFinding(t, chk, tools.Warn, tt.warn...)
			wantFinding(t, chk, tools.Block, tt.block...)
			if tt.delete == nil {
				return
			}
			pv, err := tl.Preview(ctx, fc.Env(), args, chk)
			if err != nil {
				t.Fatal(err)
			}
			want := []tools.Request{{Method: "PUT", URL: fc.Server.URL + toolstest.NetworkPrefix + "/routers/" + r1ID,
				Body: map[string]any{"router": map[string]any{"external_gateway_info": map[string]any{}}}}}
			if diff := cmp.Diff(want, pv.Requests); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.delete, pv.Deletes); diff != "" {
				t.Errorf("deletes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnsetRefusesNothing(t *testing.T) {
	fc := toolstest.New(t)
	serveList(t, fc, "/routers", "routers", r1JSON)
	chk, err := toolstest.Tool(t, Tools(), "router.unset").Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(`{"router": "r1", "external_gateway": false}`))
	if err != nil {
		t.Fatal(err)
	}
	wantFinding(t, chk, tools.Block, "nothing to unset: give --external-gateway to take router r1's gateway off")
}

func TestUnsetRunUndo(t *testing.T) {
	snatOff := strings.Replace(r1JSON, `"enable_snat": true`, `"enable_snat": false`, 1)
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.NetworkPrefix+"/routers/"+r1ID, http.StatusOK, `{"router": `+snatOff+`}`)
	fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/routers/"+r1ID, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"router":{"external_gateway_info":{}}}` {
			t.Errorf("body = %s", b)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"router": ` + r2JSON + `}`))
	})
	stubNetworks(fc)
	tl := toolstest.Tool(t, Tools(), "router.unset")
	args := json.RawMessage(`{"router": "` + r1ID + `", "external_gateway": true}`)
	res, err := tl.Run(t.Context(), fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	if res.Message != "router r1 has no external gateway now (it was on network public)" {
		t.Errorf("message = %q", res.Message)
	}
	undo := tl.Undo(args, res)
	want := `{"router":"` + r1ID + `","external_gateway":"` + publicID + `","enable_snat":false}`
	if undo == nil || undo.Tool != "router.set" || string(undo.Args) != want {
		t.Errorf("undo = %+v, want router.set %s", undo, want)
	}
}

func TestDelete(t *testing.T) {
	tests := []struct {
		name     string
		args     string
		fips     bool
		info     []string
		warn     []string
		block    []string
		requests []string
		deletes  []string
	}{
		{
			name: "with an interface", args: `{"router": "r1"}`,
			info:     []string{"its gateway on network public (203.0.113.7) is released with it"},
			block:    []string{"router r1 still has interfaces on subnet app, and Neutron refuses to delete a router with interfaces: remove them first with /router remove subnet r1 app, or add --cascade to remove them in the same step"},
			requests: []string{"DELETE /routers/" + r1ID},
			deletes: []string{
				"router " + r1ID + ": deleted",
				"port " + ifacePort + ": interface on subnet app (10.0.0.1): Neutron refuses the delete until it is removed",
				"gateway 203.0.113.7: on network public: deleted with the router, its address released",
			},
		},
		{
			name: "cascade", args: `{"router": "r1", "cascade": true}`,
			info:     []string{"its gateway on network public (203.0.113.7) is released with it"},
			warn:     []string{"--cascade removes the interfaces on subnet app first; Neutron deletes their ports"},
			requests: []string{"PUT /routers/" + r1ID + "/remove_router_interface", "DELETE /routers/" + r1ID},
			deletes: []string{
				"router " + r1ID + ": deleted",
				"port " + ifacePort + ": interface on subnet app (10.0.0.1): removed first, its port deleted",
				"gateway 203.0.113.7: on network public: deleted with the router, its address released",
			},
		},
		{
			name: "cascade under a floating IP", args: `{"router": "r1", "cascade": true}`, fips: true,
			info:  []string{"its gateway on network public (203.0.113.7) is released with it"},
			warn:  []string{"--cascade removes the interfaces"},
			block: []string{"floating IP 203.0.113.20 (→ 10.0.0.5 on server web-1) is routed through router r1, and Neutron refuses to remove its interfaces while it is associated"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			serveList(t, fc, "/routers", "routers", r1JSON, r2JSON)
			serveList(t, fc, "/ports", "ports", ifaceJSON, vmJSON)
			stubSubnets(fc)
			stubNetworks(fc)
			if strings.Contains(tt.args, "cascade") {
				var fips []string
				if tt.fips {
					fips = []string{fipJSON}
					stubServers(fc)
				}
				serveList(t, fc, "/floatingips", "floatingips", fips...)
			}
			tl := toolstest.Tool(t, Tools(), "router.delete")
			ctx := cloud.WithReadOnly(t.Context())
			chk, err := tl.Check(ctx, fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			wantFinding(t, chk, tools.Info, tt.info...)
			wantFinding(t, chk, tools.Warn, tt.warn...)
			wantFinding(t, chk, tools.Block, tt.block...)
			if tt.requests == nil {
				return
			}
			pv, err := tl.Preview(ctx, fc.Env(), chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			var reqs, deletes []string
			for _, r := range pv.Requests {
				reqs = append(reqs, r.Method+" "+strings.TrimPrefix(r.URL, fc.Server.URL+toolstest.NetworkPrefix))
			}
			for _, d := range pv.Deletes {
				deletes = append(deletes, d.Kind+" "+d.ID+": "+d.Fate)
			}
			if diff := cmp.Diff(tt.requests, reqs); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.deletes, deletes); diff != "" {
				t.Errorf("deletes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeleteRunCascade(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.NetworkPrefix+"/routers/"+r1ID, http.StatusOK, `{"router": `+r1JSON+`}`)
	serveList(t, fc, "/ports", "ports", ifaceJSON, vmJSON)
	fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/routers/"+r1ID+"/remove_router_interface", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"port_id":"`+ifacePort+`"}` {
			t.Errorf("body = %s", b)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Openstack-Request-Id", "req-remove")
		_, _ = w.Write([]byte(`{"subnet_id": "` + appID + `", "port_id": "` + ifacePort + `", "id": "` + r1ID + `"}`))
	})
	fc.Handle("DELETE", toolstest.NetworkPrefix+"/routers/"+r1ID, http.StatusNoContent, "")
	env := fc.Env()
	res, err := toolstest.Tool(t, Tools(), "router.delete").Run(t.Context(), env, json.RawMessage(`{"router": "`+r1ID+`", "cascade": true}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Message != "router r1 deleted, after removing 1 interface(s)" {
		t.Errorf("message = %q", res.Message)
	}
	if diff := cmp.Diff([]string{"req-remove", "req-network-v2.0-routers-" + r1ID}, res.RequestIDs); diff != "" {
		t.Errorf("request IDs (-want +got):\n%s", diff)
	}
}

func TestDeleteRunConflict(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.NetworkPrefix+"/routers/"+r1ID, http.StatusOK, `{"router": `+r1JSON+`}`)
	fc.Handle("DELETE", toolstest.NetworkPrefix+"/routers/"+r1ID, http.StatusConflict, `{"NeutronError": {"type": "RouterInUse", "message": "Router in use"}}`)
	_, err := toolstest.Tool(t, Tools(), "router.delete").Run(t.Context(), fc.Env(), json.RawMessage(`{"router": "`+r1ID+`"}`))
	if err == nil || !strings.Contains(err.Error(), "an interface was added since the preflight; run /router delete again to see it") {
		t.Errorf("err = %v", err)
	}
}

// A step whose router comes from an earlier step is checked once that
// step has run; its dry run shows the requests without reading anything.
func TestEarlierStepRouter(t *testing.T) {
	fc := toolstest.New(t)
	ctx := cloud.WithReadOnly(t.Context())
	for _, tc := range []struct{ tool, args, method, path string }{
		{"router.set", `{"router": "${r.id}", "name": "edge"}`, "PUT", "/routers/${r.id}"},
		{"router.unset", `{"router": "${r.id}", "external_gateway": true}`, "PUT", "/routers/${r.id}"},
		{"router.delete", `{"router": "${r.id}"}`, "DELETE", "/routers/${r.id}"},
		{"router.add.subnet", `{"router": "${r.id}", "subnet": "${s.id}"}`, "PUT", "/routers/${r.id}/add_router_interface"},
		{"router.remove.subnet", `{"router": "${r.id}", "subnet": "${s.id}"}`, "PUT", "/routers/${r.id}/remove_router_interface"},
		{"router.add.port", `{"router": "${r.id}", "port": "${p.id}"}`, "PUT", "/routers/${r.id}/add_router_interface"},
		{"router.remove.port", `{"router": "${r.id}", "port": "${p.id}"}`, "PUT", "/routers/${r.id}/remove_router_interface"},
	} {
		tl := toolstest.Tool(t, Tools(), tc.tool)
		chk, err := tl.Check(ctx, fc.Env(), json.RawMessage(tc.args))
		if err != nil {
			t.Fatalf("%s: %v", tc.tool, err)
		}
		wantFinding(t, chk, tools.Info, "router ${r.id} comes from an earlier step")
		pv, err := tl.Preview(ctx, fc.Env(), json.RawMessage(tc.args), chk)
		if err != nil {
			t.Fatalf("%s preview: %v", tc.tool, err)
		}
		last := pv.Requests[len(pv.Requests)-1]
		if last.Method != tc.method || last.URL != fc.Server.URL+toolstest.NetworkPrefix+tc.path {
			t.Errorf("%s: request %s %s, want %s %s", tc.tool, last.Method, last.URL, tc.method, tc.path)
		}
	}
}
