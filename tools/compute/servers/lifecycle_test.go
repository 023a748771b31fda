package servers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const lcID = "9e5476bd-a4ec-4653-93d6-72c93aa682ba"

func lifecycleServerJSON(status, task string, locked bool, reason string) string {
	taskJSON := "null"
	if task != "" {
		taskJSON = fmt.Sprintf("%q", task)
	}
	return fmt.Sprintf(`{"server": {"id": %q, "name": "web-1", "status": %q, "OS-EXT-STS:task_state": %s, "locked": %t, "locked_reason": %q}}`,
		lcID, status, taskJSON, locked, reason)
}

func TestCheck(t *testing.T) {
	tests := []struct {
		tool, args, status, task string
		locked                   bool
		reason                   string
		maxMicroversion          string // compute's; "" keeps the fake cloud's 2.93
		wantBlock, wantWarn      string
	}{
		{tool: "server.stop", status: "ACTIVE"},
		{tool: "server.stop", status: "SHUTOFF", wantBlock: "server web-1 is SHUTOFF; stop needs it to be ACTIVE or ERROR or RESCUE"},
		{tool: "server.start", status: "SHUTOFF"},
		{tool: "server.start", status: "ACTIVE", wantBlock: "start needs it to be SHUTOFF"},
		{tool: "server.stop", status: "ACTIVE", task: "rebooting", wantBlock: "busy (rebooting)"},
		{tool: "server.stop", status: "ACTIVE", locked: true, reason: "audit", wantBlock: `locked ("audit"); unlock it first`},

		{tool: "server.reboot", status: "ACTIVE"},
		{tool: "server.reboot", status: "SHUTOFF", wantBlock: "server web-1 is SHUTOFF; reboot needs it to be ACTIVE"},
		{tool: "server.reboot", status: "REBOOT", task: "rebooting", wantBlock: "busy (rebooting)"},
		{tool: "server.reboot", args: `"hard": true`, status: "ACTIVE"},
		{tool: "server.reboot", args: `"hard": true`, status: "SHUTOFF"},
		{tool: "server.reboot", args: `"hard": true`, status: "ERROR"},
		{tool: "server.reboot", args: `"hard": true`, status: "PAUSED"},
		{tool: "server.reboot", args: `"hard": true`, status: "SUSPENDED"},
		{tool: "server.reboot", args: `"hard": true`, status: "REBOOT", task: "rebooting"},
		{tool: "server.reboot", args: `"hard": true`, status: "SHELVED_OFFLOADED",
			wantBlock: "server web-1 is SHELVED_OFFLOADED; hard reboot needs it to be ACTIVE or REBOOT or HARD_REBOOT or SHUTOFF or ERROR or PAUSED or SUSPENDED"},
		{tool: "server.reboot", args: `"hard": true`, status: "ACTIVE", task: "image_snapshot", wantBlock: "busy (image_snapshot)"},
		{tool: "server.reboot", args: `"hard": true`, status: "ACTIVE", locked: true, wantBlock: "server web-1 is locked; unlock it first with /server unlock web-1"},

		{tool: "server.pause", status: "ACTIVE"},
		{tool: "server.pause", status: "SHUTOFF", wantBlock: "pause needs it to be ACTIVE"},
		{tool: "server.unpause", status: "PAUSED"},
		{tool: "server.unpause", status: "ACTIVE", wantBlock: "server web-1 is ACTIVE; unpause needs it to be PAUSED"},
		{tool: "server.suspend", status: "ACTIVE"},
		{tool: "server.suspend", status: "PAUSED", wantBlock: "suspend needs it to be ACTIVE"},
		{tool: "server.resume", status: "SUSPENDED"},
		{tool: "server.resume", status: "SHUTOFF", wantBlock: "server web-1 is SHUTOFF; resume needs it to be SUSPENDED"},
		{tool: "server.shelve", status: "ACTIVE"},
		{tool: "server.shelve", status: "SHUTOFF"},
		{tool: "server.shelve", status: "PAUSED"},
		{tool: "server.shelve", status: "SUSPENDED"},
		{tool: "server.shelve", status: "ERROR", wantBlock: "shelve needs it to be ACTIVE or SHUTOFF or PAUSED or SUSPENDED"},
		{tool: "server.shelve", status: "SHELVED", wantBlock: "server web-1 is SHELVED"},
		{tool: "server.unshelve", status: "SHELVED"},
		{tool: "server.unshelve", status: "SHELVED_OFFLOADED"},
		{tool: "server.unshelve", status: "ACTIVE", wantBlock: "unshelve needs it to be SHELVED or SHELVED_OFFLOADED"},
		{tool: "server.unshelve", status: "SHELVED_OFFLOADED", locked: true, wantBlock: "locked"},

		{tool: "server.lock", status: "ACTIVE"},
		{tool: "server.lock", status: "ERROR", task: "deleting"},
		{tool: "server.lock", args: `"reason": "audit"`, status: "ACTIVE"},
		{tool: "server.lock", args: `"reason": "audit"`, status: "ACTIVE", maxMicroversion: "2.72",
			wantBlock: "this cloud's compute API has microversions up to 2.72; a lock reason needs 2.73 or later, so lock without --reason"},
		{tool: "server.lock", status: "ACTIVE", maxMicroversion: "2.60"},
		{tool: "server.lock", status: "ACTIVE", locked: true, reason: "audit",
			wantWarn: `server web-1 is already locked ("audit"); locking it again changes nothing, not even the reason`},
		{tool: "server.unlock", status: "SHUTOFF", locked: true},
		{tool: "server.unlock", status: "ACTIVE", wantWarn: "server web-1 is not locked; unlocking it changes nothing"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s from %s %s %v", tt.tool, tt.args, tt.status, tt.task, tt.locked), func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+lcID, http.StatusOK, lifecycleServerJSON(tt.status, tt.task, tt.locked, tt.reason))
			if tt.maxMicroversion != "" {
				svc := fc.Caps.Services["compute"]
				svc.MaxMicroversion = tt.maxMicroversion
				fc.Caps.Services["compute"] = svc
			}
			args := `{"server": "` + lcID + `"`
			if tt.args != "" {
				args += ", " + tt.args
			}
			args += "}"
			ctx := cloud.WithReadOnly(t.Context())
			chk, err := toolstest.Tool(t, Tools(), tt.tool).Check(ctx, fc.Env(), json.RawMessage(args))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				level tools.Level
				want  string
			}{{tools.Block, tt.wantBlock}, {tools.Warn, tt.wantWarn}} {
				got := findings(chk, c.level)
				switch {
				case c.want == "" && len(got) > 0:
					t.Errorf("%s: %v", c.level, got)
				case c.want != "" && (len(got) == 0 || !strings.Contains(strings.Join(got, "\n"), c.want)):
					t.Errorf("%s findings %v, want one containing %q", c.level, got, c.want)
				}
			}
			if diff := cmp.Diff([]tools.Target{{Kind: "server", ID: lcID, Name: "web-1"}}, chk.Targets); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
			wantState := fmt.Sprintf("status=%s task=%s locked=%t", tt.status, tt.task, tt.locked)
			if chk.State != wantState {
				t.Errorf("state = %q, want %q", chk.State, wantState)
			}
		})
	}
}

func TestCheckResolvesName(t *testing.T) {
	fc := toolstest.New(t)
	fc.HandleFunc("GET", toolstest.ComputePrefix+"/servers/detail", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("name"); got != "web-1" {
			t.Errorf("name filter = %q", got)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"servers": [{"id": %q, "name": "web-1", "status": "ACTIVE", "locked": false}, {"id": "other", "name": "web-10", "status": "ACTIVE"}]}`, lcID)
	})
	chk, err := toolstest.Tool(t, Tools(), "server.reboot").Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(`{"server": "web-1", "hard": true}`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(`{"server":"`+lcID+`","hard":true}`, string(chk.Resolved)); diff != "" {
		t.Errorf("resolved (-want +got):\n%s", diff)
	}
}

func TestCheckReference(t *testing.T) {
	fc := toolstest.New(t) // no stubs: nothing may be asked
	chk, err := toolstest.Tool(t, Tools(), "server.stop").Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(`{"server": "${vm.id}"}`))
	if err != nil {
		t.Fatal(err)
	}
	if chk.Blocked() || chk.Targets[0].ID != "${vm.id}" {
		t.Errorf("check = %+v", chk)
	}
}

func TestPreviewRunUndo(t *testing.T) {
	tests := []struct {
		tool, args string
		// before is the server as Run reads it (lock and unlock only).
		before    string
		wantBody  string
		wantMsg   string
		wantUntil []string // nil: no wait
		wantUndo  *tools.Call
		changes   []tools.FieldChange
	}{
		{tool: "server.stop", wantBody: `{"os-stop":null}`, wantMsg: "stop requested", wantUntil: []string{"SHUTOFF"},
			wantUndo: &tools.Call{Tool: "server.start", Args: json.RawMessage(`{"server":"` + lcID + `"}`), Why: "undo stop"},
			changes:  []tools.FieldChange{{Field: "status", From: "ACTIVE|ERROR|RESCUE", To: "SHUTOFF"}}},
		{tool: "server.start", wantBody: `{"os-start":null}`, wantMsg: "start requested", wantUntil: []string{"ACTIVE"},
			wantUndo: &tools.Call{Tool: "server.stop", Args: json.RawMessage(`{"server":"` + lcID + `"}`), Why: "undo start"},
			changes:  []tools.FieldChange{{Field: "status", From: "SHUTOFF", To: "ACTIVE"}}},
		{tool: "server.reboot", wantBody: `{"reboot":{"type":"SOFT"}}`, wantMsg: "reboot requested", wantUntil: []string{"ACTIVE"},
			changes: []tools.FieldChange{{Field: "status", From: "ACTIVE", To: "ACTIVE"}}},
		{tool: "server.reboot", args: `"hard": true`, wantBody: `{"reboot":{"type":"HARD"}}`, wantMsg: "hard reboot requested", wantUntil: []string{"ACTIVE"},
			changes: []tools.FieldChange{{Field: "status", From: "ACTIVE|REBOOT|HARD_REBOOT|SHUTOFF|ERROR|PAUSED|SUSPENDED", To: "ACTIVE"}}},
		{tool: "server.pause", wantBody: `{"pause":null}`, wantMsg: "pause requested", wantUntil: []string{"PAUSED"},
			wantUndo: &tools.Call{Tool: "server.unpause", Args: json.RawMessage(`{"server":"` + lcID + `"}`), Why: "undo pause"},
			changes:  []tools.FieldChange{{Field: "status", From: "ACTIVE", To: "PAUSED"}}},
		{tool: "server.unpause", wantBody: `{"unpause":null}`, wantMsg: "unpause requested", wantUntil: []string{"ACTIVE"},
			wantUndo: &tools.Call{Tool: "server.pause", Args: json.RawMessage(`{"server":"` + lcID + `"}`), Why: "undo unpause"},
			changes:  []tools.FieldChange{{Field: "status", From: "PAUSED", To: "ACTIVE"}}},
		{tool: "server.suspend", wantBody: `{"suspend":null}`, wantMsg: "suspend requested", wantUntil: []string{"SUSPENDED"},
			wantUndo: &tools.Call{Tool: "server.resume", Args: json.RawMessage(`{"server":"` + lcID + `"}`), Why: "undo suspend"},
			changes:  []tools.FieldChange{{Field: "status", From: "ACTIVE", To: "SUSPENDED"}}},
		{tool: "server.resume", wantBody: `{"resume":null}`, wantMsg: "resume requested", wantUntil: []string{"ACTIVE"},
			wantUndo: &tools.Call{Tool: "server.suspend", Args: json.RawMessage(`{"server":"` + lcID + `"}`), Why: "undo resume"},
			changes:  []tools.FieldChange{{Field: "status", From: "SUSPENDED", To: "ACTIVE"}}},
		{tool: "server.shelve", wantBody: `{"shelve":null}`, wantMsg: "shelve requested", wantUntil: []string{"SHELVED_OFFLOADED", "SHELVED"},
			wantUndo: &tools.Call{Tool: "server.unshelve", Args: json.RawMessage(`{"server":"` + lcID + `"}`), Why: "undo shelve"},
			changes:  []tools.FieldChange{{Field: "status", From: "ACTIVE|SHUTOFF|PAUSED|SUSPENDED", To: "SHELVED_OFFLOADED|SHELVED"}}},
		{tool: "server.unshelve", wantBody: `{"unshelve":null}`, wantMsg: "unshelve requested", wantUntil: []string{"ACTIVE"},
			wantUndo: &tools.Call{Tool: "server.shelve", Args: json.RawMessage(`{"server":"` + lcID + `"}`), Why: "undo unshelve"},
			changes:  []tools.FieldChange{{Field: "status", From: "SHELVED|SHELVED_OFFLOADED", To: "ACTIVE"}}},
		{tool: "server.lock", before: lifecycleServerJSON("ACTIVE", "", false, ""), wantBody: `{"lock":null}`, wantMsg: "lock requested",
			wantUndo: &tools.Call{Tool: "server.unlock", Args: json.RawMessage(`{"server":"` + lcID + `"}`), Why: "undo lock"},
			changes:  []tools.FieldChange{{Field: "locked", From: false, To: true}}},
		{tool: "server.lock", args: `"reason": "audit"`, before: lifecycleServerJSON("ACTIVE", "", false, ""),
			wantBody: `{"lock":{"locked_reason":"audit"}}`, wantMsg: "lock requested",
			wantUndo: &tools.Call{Tool: "server.unlock", Args: json.RawMessage(`{"server":"` + lcID + `"}`), Why: "undo lock"},
			changes:  []tools.FieldChange{{Field: "locked", From: false, To: true}, {Field: "locked_reason", From: nil, To: "audit"}}},
		// Locking a locked server changes nothing: nothing to undo.
		{tool: "server.lock", before: lifecycleServerJSON("ACTIVE", "", true, "old"), wantBody: `{"lock":null}`, wantMsg: "lock requested",
			changes: []tools.FieldChange{{Field: "locked", From: false, To: true}}},
		// Unlocking drops the reason; the undo puts it back.
		{tool: "server.unlock", before: lifecycleServerJSON("ACTIVE", "", true, "audit"), wantBody: `{"unlock":null}`, wantMsg: "unlock requested",
			wantUndo: &tools.Call{Tool: "server.lock", Args: json.RawMessage(`{"server":"` + lcID + `","reason":"audit"}`), Why: "undo unlock"},
			changes:  []tools.FieldChange{{Field: "locked", From: true, To: false}}},
		{tool: "server.unlock", before: lifecycleServerJSON("ACTIVE", "", true, ""), wantBody: `{"unlock":null}`, wantMsg: "unlock requested",
			wantUndo: &tools.Call{Tool: "server.lock", Args: json.RawMessage(`{"server":"` + lcID + `"}`), Why: "undo unlock"},
			changes:  []tools.FieldChange{{Field: "locked", From: true, To: false}}},
		{tool: "server.unlock", before: lifecycleServerJSON("ACTIVE", "", false, ""), wantBody: `{"unlock":null}`, wantMsg: "unlock requested",
			changes: []tools.FieldChange{{Field: "locked", From: true, To: false}}},
	}
	for _, tt := range tests {
		t.Run(tt.tool+" "+tt.args+" "+tt.before, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.HandleFunc("POST", toolstest.ComputePrefix+"/servers/"+lcID+"/action", func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				if string(b) != tt.wantBody {
					t.Errorf("body = %s, want %s", b, tt.wantBody)
				}
				if got := r.Header.Get("X-OpenStack-Nova-API-Version"); got != "2.79" {
					t.Errorf("microversion = %q", got)
				}
				w.Header().Set("X-Openstack-Request-Id", "req-action")
				w.WriteHeader(http.StatusAccepted)
			})
			if tt.before != "" {
				fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+lcID, http.StatusOK, tt.before)
			}
			if tt.wantUntil != nil {
				fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+lcID, http.StatusOK, lifecycleServerJSON(tt.wantUntil[0], "", false, ""))
			}
			env := fc.Env()
			tl := toolstest.Tool(t, Tools(), tt.tool)
			args := `{"server": "` + lcID + `"`
			if tt.args != "" {
				args += ", " + tt.args
			}
			raw := json.RawMessage(args + "}")

			chk := &tools.Check{Targets: []tools.Target{{Kind: "server", ID: lcID, Name: "web-1"}}}
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), env, raw, chk)
			if err != nil {
				t.Fatal(err)
			}
			if len(pv.Requests) != 1 {
				t.Fatalf("requests = %+v", pv.Requests)
			}
			req := pv.Requests[0]
			body, _ := json.Marshal(req.Body)
			if req.Method != "POST" || req.URL != fc.Server.URL+toolstest.ComputePrefix+"/servers/"+lcID+"/action" || string(body) != tt.wantBody {
				t.Errorf("preview request = %s %s %s, want POST .../servers/%s/action %s", req.Method, req.URL, body, lcID, tt.wantBody)
			}
			if diff := cmp.Diff(tt.changes, pv.Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}

			// The dry-run's request is refused by the read-only guard if sent.
			if tt.before == "" {
				if _, err := tl.Run(cloud.WithReadOnly(t.Context()), env, raw); err == nil || !strings.Contains(err.Error(), "may only read") {
					t.Errorf("run under read-only: err = %v", err)
				}
			}
			res, err := tl.Run(t.Context(), env, raw)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(res.Message, tt.wantMsg) || res.Outputs["id"] != lcID {
				t.Errorf("message %q, outputs %v", res.Message, res.Outputs)
			}
			if diff := cmp.Diff([]string{"req-action"}, res.RequestIDs); diff != "" {
				t.Errorf("request IDs (-want +got):\n%s", diff)
			}
			if tt.wantUntil == nil {
				if res.Await != nil {
					t.Errorf("await = %+v, want none", res.Await)
				}
			} else {
				if res.Await == nil {
					t.Fatal("no await")
				}
				if diff := cmp.Diff(tt.wantUntil, res.Await.Until); diff != "" || res.Await.ID != lcID || res.Await.Kind != "server" {
					t.Errorf("await = %+v (-want +got until):\n%s", res.Await, diff)
				}
				status, err := res.Await.Poll(context.Background(), env)
				if err != nil || status != tt.wantUntil[0] {
					t.Errorf("poll = %q, %v", status, err)
				}
			}
			if diff := cmp.Diff(tt.wantUndo, tl.Undo(raw, res)); diff != "" {
				t.Errorf("undo (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPollBusyAndGone(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+lcID, http.StatusOK, lifecycleServerJSON("ACTIVE", "pausing", false, ""))
	fc.Handle("GET", toolstest.ComputePrefix+"/servers/gone", http.StatusNotFound, `{"itemNotFound": {"code": 404, "message": "gone"}}`)
	status, err := poll(lcID)(t.Context(), fc.Env())
	if err != nil || status != "ACTIVE, pausing" {
		t.Errorf("poll = %q, %v", status, err)
	}
	_, err = poll("gone")(t.Context(), fc.Env())
	var nf *tools.NotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("poll of a deleted server: err = %v, want NotFoundError", err)
	}
}

func TestPreviewChangesFromState(t *testing.T) {
	tests := []struct {
		tool, state string
		want        []tools.FieldChange
	}{
		{tool: "server.stop", state: "status=ERROR task= locked=false", want: []tools.FieldChange{{Field: "status", From: "ERROR", To: "SHUTOFF"}}},
		{tool: "server.reboot", state: "status=SHUTOFF task= locked=false", want: []tools.FieldChange{{Field: "status", From: "SHUTOFF", To: "ACTIVE"}}},
		{tool: "server.lock", state: "status=ACTIVE task= locked=false", want: []tools.FieldChange{{Field: "locked", From: false, To: true}}},
		{tool: "server.lock", state: "status=ACTIVE task= locked=true"},
		{tool: "server.unlock", state: "status=ACTIVE task= locked=false"},
		{tool: "server.unlock", state: "status=ACTIVE task= locked=true", want: []tools.FieldChange{{Field: "locked", From: true, To: false}}},
	}
	for _, tt := range tests {
		t.Run(tt.tool+" "+tt.state, func(t *testing.T) {
			fc := toolstest.New(t)
			chk := &tools.Check{Targets: []tools.Target{{Kind: "server", ID: lcID, Name: "web-1"}}, State: tt.state}
			pv, err := toolstest.Tool(t, Tools(), tt.tool).Preview(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(`{"server": "`+lcID+`"}`), chk)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, pv.Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUndoUnderReview: a plan under review asks for the undo with an
// empty result; it names the inverse tool.
func TestLifecycleUndoUnderReview(t *testing.T) {
	for name, want := range map[string]string{"server.lock": "server.unlock", "server.unlock": "server.lock", "server.shelve": "server.unshelve", "server.reboot": ""} {
		call := toolstest.Tool(t, Tools(), name).Undo(json.RawMessage(`{"server": "`+lcID+`"}`), &tools.Result{})
		switch {
		case want == "" && call != nil:
			t.Errorf("%s: undo = %+v, want none", name, call)
		case want != "" && (call == nil || call.Tool != want):
			t.Errorf("%s: undo = %+v, want %s", name, call, want)
		}
	}
}
