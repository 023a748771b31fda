package alarms

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const (
	serverID = "8d1f8c2e-3c33-4b4e-9a1b-2f7d6f1a9e10"
	alarmID  = "b8a9f4c2-6a3c-4c55-8d1e-2a4b6c8d0e11"
	policy   = `{"name": "ceilometer-low", "aggregation_methods": ["mean", "max"], "definition": [{"granularity": "0:01:00"}, {"granularity": "0:05:00"}]}`
	metrics  = `[{"id": "m1", "name": "cpu", "unit": "ns", "resource_id": "` + serverID + `", "archive_policy": ` + policy + `}]`
	// An alarm as Aodh answers it.
	alarmJSON = `{"alarm_actions": ["log://"], "ok_actions": [], "insufficient_data_actions": [], "alarm_id": "` + alarmID + `",
	  "name": "cpu-high", "description": "gnocchi_resources_threshold alarm rule", "enabled": true, "repeat_actions": false,
	  "severity": "critical", "state": "alarm", "state_reason": "Transition to alarm due to 1 samples outside threshold, most recent: 95.0",
	  "state_timestamp": "2026-12-03T13:05:00.123456", "timestamp": "2026-12-03T13:00:00.123456", "time_constraints": [],
	  "type": "gnocchi_resources_threshold", "project_id": "p1", "user_id": "u1",
	  "gnocchi_resources_threshold_rule": {"aggregation_method": "mean", "comparison_operator": "gt", "evaluation_periods": 1,
	    "granularity": 60, "metric": "cpu", "resource_id": "` + serverID + `", "resource_type": "instance", "threshold": 80.0}}`
)

// fakeCloud has Nova (server web-1), Gnocchi (its cpu metric) and Aodh.
func fakeCloud(t *testing.T) *toolstest.Cloud {
	t.Helper()
	fc := toolstest.New(t)
	fc.Caps.Services["metric"] = cloud.Service{Type: "metric", Endpoint: fc.Server.URL + "/metric/"}
	fc.Caps.Services["alarming"] = cloud.Service{Type: "alarming", Endpoint: fc.Server.URL + "/alarming/"}
	fc.OptionalFunc("GET", toolstest.ComputePrefix+"/servers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("name") == "^web-1$" {
			_, _ = fmt.Fprintf(w, `{"servers": [{"id": %q, "name": "web-1"}]}`, serverID)
			return
		}
		_, _ = fmt.Fprint(w, `{"servers": []}`)
	})
	fc.Optional("GET", "/metric/v1/resource/generic/"+serverID+"/metric", 200, metrics)
	fc.Optional("GET", "/metric/v1/resource/generic/"+serverID, 200, `{"id": "`+serverID+`", "type": "instance", "metrics": {"cpu": "m1"}}`)
	fc.OptionalFunc("GET", "/alarming/v2/alarms", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if name := r.URL.Query().Get("q.value"); name != "" && name != "cpu-high" {
			_, _ = fmt.Fprint(w, `[]`)
			return
		}
		_, _ = fmt.Fprint(w, "["+alarmJSON+"]")
	})
	fc.Optional("GET", "/alarming/v2/alarms/"+alarmID, 200, alarmJSON)
	return fc
}

func TestListShowHistory(t *testing.T) {
	fc := fakeCloud(t)
	fc.Handle("GET", "/alarming/v2/alarms/"+alarmID+"/history", 200, `[
	  {"event_id": "e2", "alarm_id": "`+alarmID+`", "type": "state transition", "detail": "{\"state\": \"alarm\", \"transition_reason\": \"Transition to alarm due to 1 samples outside threshold\"}", "timestamp": "2026-12-03T13:05:00.1", "user_id": "u1"},
	  {"event_id": "e1", "alarm_id": "`+alarmID+`", "type": "creation", "detail": "{\"name\": \"cpu-high\", \"type\": \"gnocchi_resources_threshold\", \"rule\": {\"granularity\": 60, \"comparison_operator\": \"gt\", \"threshold\": 50.0, \"aggregation_method\": \"mean\", \"evaluation_periods\": 1, \"metric\": \"cpu\"}}", "timestamp": "2026-12-03T13:00:00.1", "user_id": "u1"}]`)
	env := fc.Env()
	res, err := toolstest.Run(t, env, Tools(), "alarm.list", map[string]any{"state": "alarm"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.List.Rows) != 1 || fmt.Sprint(res.List.Rows[0]) != "["+alarmID+" gnocchi_resources_threshold cpu-high alarm critical true]" {
		t.Errorf("list = %v", res.List.Rows)
	}
	res, err = toolstest.Run(t, env, Tools(), "alarm.list", map[string]any{"state": "ok"})
	if err != nil || len(res.List.Rows) != 0 {
		t.Errorf("ok alarms = %v, %v", res, err)
	}
	res, err = toolstest.Run(t, env, Tools(), "alarm.show", map[string]any{"alarm": "cpu-high"})
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]any{"state": "alarm", "metric": "cpu", "threshold": 80.0, "comparison_operator": "gt", "resource_id": serverID, "granularity": 60} {
		if got := res.Record.Get(field); got != want {
			t.Errorf("%s = %v, want %v", field, got, want)
		}
	}
	res, err = toolstest.Run(t, env, Tools(), "alarm.history", map[string]any{"alarm": alarmID})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.List.Rows[0][2]; got != "alarm: Transition to alarm due to 1 samples outside threshold" {
		t.Errorf("detail = %v", got)
	}
	if got := res.List.Rows[1][2]; got != "created: mean of cpu > 50 over 1 × 60 s" {
		t.Errorf("creation = %v", got)
	}
	_, err = toolstest.Run(t, env, Tools(), "alarm.show", map[string]any{"alarm": "nosuch"})
	if err == nil || err.Error() != `no alarm named or with ID "nosuch"` {
		t.Errorf("err = %v", err)
	}
}

func TestWithoutAodh(t *testing.T) {
	fc := toolstest.New(t)
	_, err := toolstest.Run(t, fc.Env(), Tools(), "alarm.list", map[string]any{})
	if err == nil || err.Error() != "this cloud has no alarming service (Aodh) in its catalog; see /catalog" {
		t.Errorf("err = %v", err)
	}
}

func TestCreateCheck(t *testing.T) {
	base := map[string]any{"name": "web-cpu", "resource": "web-1", "metric": "cpu", "threshold": 80, "comparison_operator": "gt"}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
				continue
			}
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name     string
		args     map[string]any
		block    string
		warn     string
		resolved string
	}{
		{"defaults filled from Gnocchi", base, "", "",
			`"resource":"` + serverID + `","resource_type":"instance","metric":"cpu","threshold":80,"comparison_operator":"gt","aggregation_method":"mean","granularity":60,"evaluation_periods":1`},
		{"no operator", with("comparison_operator", nil), "", "Aodh compares with eq (equal)", ""},
		{"name taken", with("name", "cpu-high"), "alarm cpu-high already exists (" + alarmID + ", alarm); choose another name or delete it first", "", ""},
		{"unknown metric", with("metric", "cpux"), `server web-1 has no metric "cpux"; it has: cpu`, "", ""},
		{"unknown server", with("resource", "nosuch"), `no server named "nosuch"`, "", ""},
		{"granularity", with("granularity", 3600), "metric cpu keeps measures every 60, 300 seconds (archive policy ceilometer-low), not every 3600", "", ""},
		{"log action, not admin", with("alarm_actions", []any{"log://"}), "Aodh takes log:// actions from admins only, and demo has no admin role here; use an http:// or https:// URL", "", ""},
		{"log action, admin", with("alarm_actions", []any{"log://"}, "name", "admin-ok"), "", "", `"alarm_actions":["log://"]`},
		{"aggregation", with("aggregation_method", "sum"), "metric cpu keeps the aggregations max, mean (archive policy ceilometer-low), not sum", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := fakeCloud(t)
			roles := `[{"name": "member"}]`
			if tt.name == "log action, admin" {
				roles = `[{"name": "admin"}]`
			}
			fc.Optional("GET", toolstest.IdentityPrefix+"/auth/tokens", http.StatusOK, `{"token": {"expires_at": "2030-01-01T12:00:00Z", "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}},
			  "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}, "roles": `+roles+`}}`)
			b, _ := json.Marshal(tt.args)
			chk, err := toolstest.Tool(t, Tools(), "alarm.create").Check(cloud.WithReadOnly(t.Context()), fc.Env(), b)
			if err != nil {
				t.Fatal(err)
			}
			var blocks, warns []string
			for _, f := range chk.Findings {
				switch f.Level {
				case tools.Block:
					blocks = append(blocks, f.Text)
				case tools.Warn:
					warns = append(warns, f.Text)
				}
			}
			if tt.block == "" && len(blocks) > 0 || tt.block != "" && (len(blocks) != 1 || !strings.Contains(blocks[0], tt.block)) {
				t.Errorf("blocks = %q, want %q", blocks, tt.block)
			}
			if tt.warn != "" && (len(warns) != 1 || !strings.Contains(warns[0], tt.warn)) {
				t.Errorf("warns = %q, want %q", warns, tt.warn)
			}
			if tt.resolved != "" && !strings.Contains(string(chk.Resolved), tt.resolved) {
				t.Errorf("resolved = %s\nwant it to hold %s", chk.Resolved, tt.resolved)
			}
		})
	}
}

func TestCreatePreviewRunUndo(t *testing.T) {
	fc := fakeCloud(t)
	var body map[string]any
	fc.HandleFunc("POST", "/alarming/v2/alarms", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Openstack-Request-Id", "req-1")
		w.WriteHeader(http.StatusCreated)
		_, _ = fmt.Fprint(w, strings.Replace(alarmJSON, `"state": "alarm"`, `"state": "insufficient data"`, 1))
	})
	args := json.RawMessage(`{"name": "cpu-high", "resource": "` + serverID + `", "resource_type": "instance", "metric": "cpu", "threshold": 80,
	  "comparison_operator": "gt", "aggregation_method": "mean", "granularity": 60, "evaluation_periods": 1, "alarm_actions": ["log://"], "severity": "critical"}`)
	tl := toolstest.Tool(t, Tools(), "alarm.create")
	pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), args, &tools.Check{Resolved: args})
	if err != nil {
		t.Fatal(err)
	}
	if r := pv.Requests[0]; r.Method != "POST" || r.URL != fc.Server.URL+"/alarming/v2/alarms" {
		t.Errorf("request = %s %s", r.Method, r.URL)
	}
	if want := "alarm cpu-high (mean of cpu > 80 over 1 × 60 s on " + serverID + ")"; pv.Creates[0] != want {
		t.Errorf("creates = %q, want %q", pv.Creates[0], want)
	}
	res, err := tl.Run(t.Context(), fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	rule, _ := body["gnocchi_resources_threshold_rule"].(map[string]any)
	if body["type"] != "gnocchi_resources_threshold" || rule["metric"] != "cpu" || rule["threshold"] != 80.0 || rule["granularity"] != 60.0 || body["severity"] != "critical" {
		t.Errorf("body = %v", body)
	}
	if res.Outputs["id"] != alarmID || res.RequestIDs[0] != "req-1" || !strings.Contains(res.Message, "insufficient data") {
		t.Errorf("result = %+v", res)
	}
	undo := tl.Undo(args, res)
	if undo == nil || undo.Tool != "alarm.delete" || string(undo.Args) != `{"alarm":"`+alarmID+`"}` {
		t.Errorf("undo = %+v", undo)
	}
}

func TestDelete(t *testing.T) {
	fc := fakeCloud(t)
	fc.Handle("DELETE", "/alarming/v2/alarms/"+alarmID, http.StatusNoContent, "")
	tl := toolstest.Tool(t, Tools(), "alarm.delete")
	chk, err := tl.Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(`{"alarm": "cpu-high"}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(chk.Resolved) != `{"alarm":"`+alarmID+`"}` || chk.Findings[0].Text != "alarm cpu-high is alarm (mean of cpu > 80 over 1 × 60 s)" {
		t.Errorf("check = %s, %+v", chk.Resolved, chk.Findings)
	}
	pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(`{"alarm": "cpu-high"}`), chk)
	if err != nil {
		t.Fatal(err)
	}
	if r := pv.Requests[0]; r.Method != "DELETE" || !strings.HasSuffix(r.URL, "/alarming/v2/alarms/"+alarmID) || pv.Deletes[0].Name != "cpu-high" {
		t.Errorf("preview = %+v", pv)
	}
	if _, err := tl.Run(t.Context(), fc.Env(), chk.Resolved); err != nil {
		t.Fatal(err)
	}
}

func TestStateSet(t *testing.T) {
	fc := fakeCloud(t)
	fc.Handle("GET", "/alarming/v2/alarms/"+alarmID+"/state", 200, `"alarm"`)
	var body string
	fc.HandleFunc("PUT", "/alarming/v2/alarms/"+alarmID+"/state", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprint(w, `"ok"`)
	})
	tl := toolstest.Tool(t, Tools(), "alarm.state.set")
	args := json.RawMessage(`{"alarm": "` + alarmID + `", "state": "ok"}`)
	res, err := tl.Run(t.Context(), fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	if body != `"ok"` || res.Outputs["previous"] != "alarm" {
		t.Errorf("body %s, outputs %v", body, res.Outputs)
	}
	if undo := tl.Undo(args, res); undo == nil || string(undo.Args) != `{"alarm":"`+alarmID+`","state":"alarm"}` {
		t.Errorf("undo = %+v", undo)
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		name    string
		args    string
		block   string
		changes string
	}{
		{"threshold and severity", `{"alarm": "cpu-high", "threshold": 90, "severity": "low"}`, "", "[{severity critical low} {threshold 80 90}]"},
		{"disable", `{"alarm": "cpu-high", "enabled": false}`, "", "[{enabled true false}]"},
		{"nothing new", `{"alarm": "cpu-high", "threshold": 80}`, "nothing to change: alarm cpu-high already reads so", ""},
		{"nothing at all", `{"alarm": "cpu-high"}`, "nothing to change", ""},
		{"rename", `{"alarm": "cpu-high", "name": "other"}`, "", "[{name cpu-high other}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := fakeCloud(t)
			tl := toolstest.Tool(t, Tools(), "alarm.set")
			ctx := cloud.WithReadOnly(t.Context())
			chk, err := tl.Check(ctx, fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			var blocks []string
			for _, f := range chk.Findings {
				if f.Level == tools.Block {
					blocks = append(blocks, f.Text)
				}
			}
			if tt.block != "" {
				if len(blocks) != 1 || !strings.Contains(blocks[0], tt.block) {
					t.Errorf("blocks = %q, want %q", blocks, tt.block)
				}
				return
			}
			if len(blocks) > 0 {
				t.Fatalf("blocked: %q", blocks)
			}
			pv, err := tl.Preview(ctx, fc.Env(), json.RawMessage(tt.args), chk)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range pv.Changes {
				got = append(got, fmt.Sprintf("{%s %v %v}", c.Field, c.From, c.To))
			}
			if g := "[" + strings.Join(got, " ") + "]"; g != tt.changes {
				t.Errorf("changes = %s, want %s", g, tt.changes)
			}
			body, _ := pv.Requests[0].Body.(map[string]any)
			if pv.Requests[0].Method != "PUT" || body["time_constraints"] == nil || body["alarm_id"] != alarmID {
				t.Errorf("request = %s %v", pv.Requests[0].Method, body)
			}
		})
	}
}

func TestSetRefusesARuleFieldTheRuleLacks(t *testing.T) {
	fc := toolstest.New(t)
	fc.Caps.Services["alarming"] = cloud.Service{Type: "alarming", Endpoint: fc.Server.URL + "/alarming/"}
	event := `{"alarm_id": "` + alarmID + `", "name": "on-delete", "type": "event", "state": "ok", "event_rule": {"event_type": "compute.instance.delete.end", "query": []}}`
	fc.Handle("GET", "/alarming/v2/alarms/"+alarmID, 200, event)
	chk, err := toolstest.Tool(t, Tools(), "alarm.set").Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(`{"alarm": "`+alarmID+`", "threshold": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	if !chk.Blocked() || chk.Findings[0].Text != "alarm on-delete (type event) has no threshold in its rule" {
		t.Errorf("findings = %+v", chk.Findings)
	}
}

func TestSetRun(t *testing.T) {
	fc := fakeCloud(t)
	var body map[string]any
	fc.HandleFunc("PUT", "/alarming/v2/alarms/"+alarmID, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprint(w, strings.Replace(alarmJSON, `"threshold": 80.0`, `"threshold": 90.0`, 1))
	})
	tl := toolstest.Tool(t, Tools(), "alarm.set")
	args := json.RawMessage(`{"alarm": "` + alarmID + `", "threshold": 90, "alarm_actions": []}`)
	res, err := tl.Run(t.Context(), fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	// The undo puts back what changed, an action list included.
	undo := tl.Undo(args, res)
	if undo == nil || string(undo.Args) != `{"alarm":"`+alarmID+`","threshold":80,"alarm_actions":["log://"]}` {
		t.Errorf("undo = %+v", undo)
	}
	if acts, _ := body["alarm_actions"].([]any); acts == nil || len(acts) != 0 {
		t.Errorf("alarm_actions sent = %v, want [] (cleared)", body["alarm_actions"])
	}
	rule, _ := body["gnocchi_resources_threshold_rule"].(map[string]any)
	if rule["threshold"] != 90.0 || rule["metric"] != "cpu" || body["name"] != "cpu-high" || body["time_constraints"] == nil {
		t.Errorf("PUT body = %v", body)
	}
	if res.Record.Get("threshold") != 90.0 {
		t.Errorf("result = %+v", res.Record)
	}
}
