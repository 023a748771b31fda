package stacks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/orchestration"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const heat = "/orchestration/v1/p-1"

// fakeCloud is the fake cloud with Heat in its catalog.
func fakeCloud(t *testing.T) *toolstest.Cloud {
	fc := toolstest.New(t)
	fc.Caps.Services["orchestration"] = cloud.Service{Type: "orchestration", Name: "heat", Endpoint: fc.Server.URL + heat + "/", Version: "v1", Region: "RegionOne"}
	return fc
}

const template = `heat_template_version: 2018-08-31
parameters:
  flavor:
    type: string
    default: m1.nano
  count:
    type: number
    default: 1
resources:
  net:
    type: OS::Neutron::Net
  server:
    type: OS::Nova::Server
    properties: {flavor: {get_param: flavor}, image: cirros}
`

func files(t *testing.T) string {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"web.yaml":    template,
		"broken.yaml": "heat_template_version: 2018-08-31\nresources:\n  net:\n    properties: {}\n",
		"env.yaml":    "parameters:\n  count: 2\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func stackJSON(name, id, status string, updated string) string {
	b, _ := json.Marshal(map[string]any{"stack": map[string]any{
		"id": id, "stack_name": name, "stack_status": status, "stack_status_reason": "reason of " + status,
		"updated_time": updated, "parameters": map[string]string{"flavor": "m1.nano", "OS::stack_id": id},
		"outputs": []map[string]any{{"output_key": "ip", "output_value": "10.0.0.5", "description": "address"}},
	}})
	return string(b)
}

func findings(chk *tools.Check, level tools.Level) []string {
	var out []string
	for _, f := range chk.Findings {
		if f.Level == level {
			out = append(out, f.Text)
		}
	}
	return out
}

func TestCreateCheck(t *testing.T) {
	dir := files(t)
	tests := []struct {
		name    string
		args    CreateArgs
		exists  bool
		preview int    // status of Heat's preview; 0: not asked
		netUsed int    // networks in use of 10
		block   string // "" when it may run
	}{
		{name: "fine", args: CreateArgs{Name: "web", TemplateFile: "web.yaml", EnvironmentFile: []string{"env.yaml"}, Parameters: map[string]string{"flavor": "m1.tiny"}}, preview: 200},
		{name: "name taken", args: CreateArgs{Name: "web", TemplateFile: "web.yaml"}, exists: true, block: "stack web already exists (CREATE_COMPLETE)"},
		{name: "template does not parse", args: CreateArgs{Name: "web", TemplateFile: "broken.yaml"}, block: "broken.yaml line 3, column 3: resource net has no type (e.g. type: OS::Nova::Server); fix the file and try again"},
		{name: "no such file", args: CreateArgs{Name: "web", TemplateFile: "nosuch.yaml"}, block: "nosuch.yaml does not exist"},
		{name: "parameter of the wrong type", args: CreateArgs{Name: "web", TemplateFile: "web.yaml", Parameters: map[string]string{"count": "two"}}, block: `parameter count is a number (web.yaml line 6) but "two" is not a number`},
		{name: "parameter not declared", args: CreateArgs{Name: "web", TemplateFile: "web.yaml", Parameters: map[string]string{"image": "cirros"}}, block: `web.yaml declares no parameter "image"; it declares count, flavor`},
		{name: "Heat refuses", args: CreateArgs{Name: "web", TemplateFile: "web.yaml", Parameters: map[string]string{"flavor": "m1.nosuch"}}, preview: 400,
			block: "Heat's stack preview refuses it: StackValidationFailed: Property error: resources.server.properties.flavor: No Flavor matching m1.nosuch; fix the template"},
		{name: "quota full", args: CreateArgs{Name: "web", TemplateFile: "web.yaml"}, preview: 200, netUsed: 10,
			block: "the stack needs 1 more network (network) but the quota has room for 0 (10 of 10 in use): the create would fail half-way"},
		{name: "dry run never runs", args: CreateArgs{Name: "web", TemplateFile: "web.yaml", DryRun: true}, block: "--dry-run asks for the preview only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(dir)
			fc := fakeCloud(t)
			if tt.exists {
				fc.Handle("GET", heat+"/stacks/web", 200, stackJSON("web", "s-1", "CREATE_COMPLETE", ""))
			} else {
				fc.Handle("GET", heat+"/stacks/web", 404, `{"error": {"message": "The Stack (web) could not be found.", "type": "EntityNotFound"}}`)
			}
			switch tt.preview {
			case 200:
				fc.HandleFunc("POST", heat+"/stacks/preview", func(w http.ResponseWriter, r *http.Request) {
					var body map[string]any
					_ = json.NewDecoder(r.Body).Decode(&body)
					if body["stack_name"] != "web" || !strings.Contains(body["template"].(string), "OS::Nova::Server") {
						t.Errorf("preview body = %v", body)
					}
					w.WriteHeader(200)
					_, _ = io.WriteString(w, `{"stack": {"stack_name": "web", "resources": [{"resource_name": "server", "resource_type": "OS::Nova::Server", "stack_name": "web",
						"properties": {"flavor": "m1.tiny", "networks": [{"network": "n-1"}]}}, {"resource_name": "net", "resource_type": "OS::Neutron::Net", "stack_name": "web"}]}}`)
				})
				stubQuota(fc, tt.netUsed)
			case 400:
				fc.Handle("POST", heat+"/stacks/preview", 400, `{"code": 400, "error": {"type": "StackValidationFailed", "message": "Property error: resources.server.properties.flavor: No Flavor matching m1.nosuch"}}`)
			}
			tool := toolstest.Tool(t, Tools(), "stack.create")
			// The gate runs the preflight read-only: Heat's preview must
			// pass the read-only transport.
			ctx := cloud.WithReadOnly(context.Background())
			chk, err := tool.Check(ctx, fc.Env(), tools.JSON(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(findings(chk, tools.Block), "\n")
			if tt.block == "" && got != "" || !strings.Contains(got, tt.block) {
				t.Fatalf("blocks = %q, want %q", got, tt.block)
			}
			if tt.block != "" {
				return
			}
			var uses []string
			for _, q := range chk.Quota {
				uses = append(uses, fmt.Sprintf("%s %s +%d", q.Service, q.Resource, q.Delta))
			}
			if diff := cmp.Diff([]string{"compute cores +1", "compute instances +1", "compute ram +512", "network network +1", "network port +1"}, uses); diff != "" {
				t.Errorf("quota (-want +got):\n%s", diff)
			}
			var resolved CreateArgs
			_ = json.Unmarshal(chk.Resolved, &resolved)
			if resolved.TemplateFile != filepath.Join(dir, "web.yaml") {
				t.Errorf("resolved template = %q, want the absolute path", resolved.TemplateFile)
			}
			pv, err := tool.Preview(ctx, fc.Env(), chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"stack web", "net (OS::Neutron::Net)", "server (OS::Nova::Server)"}, pv.Creates); diff != "" {
				t.Errorf("creates (-want +got):\n%s", diff)
			}
			body := pv.Requests[0].Body.(map[string]any)
			if tpl, _ := body["template"].(string); !strings.HasPrefix(tpl, "<"+filepath.Join(dir, "web.yaml")+", ") {
				t.Errorf("the review shows the template as %q, want its file named", tpl)
			}
			if body["environment"] == nil || body["parameters"] == nil {
				t.Errorf("body = %v, want the environment and parameters", body)
			}
		})
	}
}

// stubQuota answers the quota reads of a create's preflight: the
// project, its compute and network quotas, the flavors.
func stubQuota(fc *toolstest.Cloud, netUsed int) {
	fc.Handle("GET", toolstest.IdentityPrefix+"/auth/tokens", 200, `{"token": {"expires_at": "2030-01-01T12:00:00Z", "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}}, "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}, "roles": []}}`)
	fc.Handle("GET", toolstest.ComputePrefix+"/flavors/detail", 200, `{"flavors": [{"id": "f-1", "name": "m1.tiny", "vcpus": 1, "ram": 512}]}`)
	fc.HandleFunc("GET", toolstest.ComputePrefix+"/os-quota-sets/p1/detail", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"quota_set": {"id": "p1", "instances": {"in_use": 1, "limit": 10, "reserved": 0}, "cores": {"in_use": 1, "limit": 20, "reserved": 0}, "ram": {"in_use": 512, "limit": 51200, "reserved": 0}}}`)
	})
	fc.HandleFunc("GET", toolstest.NetworkPrefix+"/quotas/p1/details.json", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"quota": {"network": {"used": %d, "limit": 10, "reserved": 0}, "port": {"used": 3, "limit": 50, "reserved": 0}}}`, netUsed)
	})
}

func TestCreateRunAwaitsAndUndoes(t *testing.T) {
	dir := files(t)
	t.Chdir(dir)
	fc := fakeCloud(t)
	fc.HandleFunc("POST", heat+"/stacks", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		if body["stack_name"] != "web" || body["disable_rollback"] != true {
			t.Errorf("create body = %v", body)
		}
		w.WriteHeader(201)
		_, _ = io.WriteString(w, `{"stack": {"id": "s-1", "links": []}}`)
	})
	polls := 0
	fc.HandleFunc("GET", heat+"/stacks/s-1", func(w http.ResponseWriter, r *http.Request) {
		polls++
		status := "CREATE_IN_PROGRESS"
		if polls > 1 {
			status = "CREATE_FAILED"
		}
		_, _ = io.WriteString(w, stackJSON("web", "s-1", status, ""))
	})
	tool := toolstest.Tool(t, Tools(), "stack.create")
	res, err := tool.Run(context.Background(), fc.Env(), tools.JSON(CreateArgs{Name: "web", TemplateFile: filepath.Join(dir, "web.yaml")}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Outputs["id"] != "s-1" || res.Await == nil {
		t.Fatalf("result = %+v", res)
	}
	if st, _ := res.Await.Poll(context.Background(), fc.Env()); st != "CREATE_IN_PROGRESS" {
		t.Errorf("first poll = %q", st)
	}
	st, _ := res.Await.Poll(context.Background(), fc.Env())
	if !strings.HasPrefix(st, "CREATE_FAILED: reason of CREATE_FAILED (the failed resources and why: /stack triage web)") {
		t.Errorf("failed poll = %q", st)
	}
	undo := tool.Undo(tools.JSON(CreateArgs{Name: "web", TemplateFile: "web.yaml"}), res)
	if undo.Tool != "stack.delete" || string(undo.Args) != `{"stack":"s-1"}` {
		t.Errorf("undo = %s %s", undo.Tool, undo.Args)
	}
}

func TestUpdateCheckDiff(t *testing.T) {
	dir := files(t)
	deployed := `{"heat_template_version": "2018-08-31", "resources": {"net": {"type": "OS::Neutron::Net", "metadata": {"ostui:protected": true}}, "server": {"type": "OS::Nova::Server"}}}`
	tests := []struct {
		name    string
		status  string
		changes string
		args    UpdateArgs
		block   string
		warn    string
		summary string
	}{
		{name: "server replaced", status: "CREATE_COMPLETE", args: UpdateArgs{Stack: "web", TemplateFile: "web.yaml"},
			changes: `{"replaced": [{"resource_name": "server", "resource_type": "OS::Nova::Server", "stack_name": "web"}], "updated": [{"resource_name": "net", "resource_type": "OS::Neutron::Net", "stack_name": "web"}], "added": [], "deleted": [], "unchanged": []}`,
			warn:    "server (OS::Nova::Server) vm-1 is replaced: the server is deleted and a new one built", summary: "Heat's update preview: 0 added, 1 replaced, 1 updated in place, 0 deleted, 0 unchanged"},
		{name: "protected net replaced", status: "UPDATE_COMPLETE", args: UpdateArgs{Stack: "web", TemplateFile: "web.yaml"},
			changes: `{"replaced": [{"resource_name": "net", "resource_type": "OS::Neutron::Net", "stack_name": "web"}]}`,
			block:   "the update would replace resource net (OS::Neutron::Net), which is protected: its metadata carries ostui:protected"},
		{name: "in progress", status: "UPDATE_IN_PROGRESS", args: UpdateArgs{Stack: "web", TemplateFile: "web.yaml"}, block: "stack web is UPDATE_IN_PROGRESS; Heat takes no other action until it settles"},
		{name: "nothing to update with", status: "CREATE_COMPLETE", args: UpdateArgs{Stack: "web"}, block: "give the new template with -t FILE, or --existing"},
		{name: "existing, parameter typed", status: "CREATE_COMPLETE", args: UpdateArgs{Stack: "web", Existing: true, Parameters: map[string]string{"size": "x"}},
			block: `declares no parameter "size"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(dir)
			fc := fakeCloud(t)
			fc.Handle("GET", heat+"/stacks/web", 200, stackJSON("web", "s-1", tt.status, "2026-01-01T00:00:00Z"))
			fc.Optional("GET", heat+"/stacks/web/s-1/template", 200, deployed)
			if tt.changes != "" {
				fc.HandleFunc("PUT", heat+"/stacks/web/s-1/preview", func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Query().Get("show_nested") != "true" {
						t.Errorf("preview query = %s, want show_nested", r.URL.RawQuery)
					}
					_, _ = io.WriteString(w, `{"resource_changes": `+tt.changes+`}`)
				})
				fc.Handle("GET", heat+"/stacks/web/s-1/resources", 200, `{"resources": [{"resource_name": "server", "physical_resource_id": "vm-1", "resource_type": "OS::Nova::Server", "resource_status": "CREATE_COMPLETE"}]}`)
			}
			tool := toolstest.Tool(t, Tools(), "stack.update")
			ctx := cloud.WithReadOnly(context.Background())
			chk, err := tool.Check(ctx, fc.Env(), tools.JSON(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			blocks := strings.Join(findings(chk, tools.Block), "\n")
			if tt.block == "" && blocks != "" || !strings.Contains(blocks, tt.block) {
				t.Fatalf("blocks = %q, want %q", blocks, tt.block)
			}
			if tt.block != "" {
				return
			}
			if warns := strings.Join(findings(chk, tools.Warn), "\n"); !strings.Contains(warns, tt.warn) {
				t.Errorf("warnings = %q, want %q", warns, tt.warn)
			}
			if infos := findings(chk, tools.Info); len(infos) == 0 || infos[0] != tt.summary {
				t.Errorf("infos = %q, want %q", infos, tt.summary)
			}
			pv, err := tool.Preview(ctx, fc.Env(), chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			if pv.Requests[0].Method != "PUT" || !strings.HasSuffix(pv.Requests[0].URL, "/stacks/web/s-1") {
				t.Errorf("request = %s %s", pv.Requests[0].Method, pv.Requests[0].URL)
			}
			if len(pv.Deletes) != 1 || pv.Deletes[0].Name != "server" || pv.Deletes[0].ID != "vm-1" || len(pv.Changes) != 1 {
				t.Errorf("preview = %+v", pv)
			}
		})
	}
}

func TestUpdateRunWaitsForHeatToStart(t *testing.T) {
	dir := files(t)
	fc := fakeCloud(t)
	fc.Handle("GET", heat+"/stacks/s-1", 200, stackJSON("web", "s-1", "UPDATE_COMPLETE", "2026-01-01T00:00:00Z"))
	fc.Handle("PATCH", heat+"/stacks/web/s-1", 202, ``)
	tool := toolstest.Tool(t, Tools(), "stack.update")
	res, err := tool.Run(context.Background(), fc.Env(), tools.JSON(UpdateArgs{Stack: "s-1", Existing: true, Parameters: map[string]string{"count": "2"}, EnvironmentFile: []string{filepath.Join(dir, "env.yaml")}}))
	if err != nil {
		t.Fatal(err)
	}
	// The stack still shows the previous update's COMPLETE: not done.
	if st, _ := res.Await.Poll(context.Background(), fc.Env()); st != "UPDATE_IN_PROGRESS" {
		t.Errorf("poll = %q, want UPDATE_IN_PROGRESS until Heat records the new update", st)
	}
}

func TestDeleteCheckPreview(t *testing.T) {
	fc := fakeCloud(t)
	fc.Handle("GET", heat+"/stacks/web", 200, stackJSON("web", "s-1", "UPDATE_FAILED", ""))
	fc.Handle("GET", heat+"/stacks/web/s-1/resources", 200, `{"resources": [
		{"resource_name": "vol", "physical_resource_id": "v-1", "resource_type": "OS::Cinder::Volume", "resource_status": "CREATE_COMPLETE"},
		{"resource_name": "server", "physical_resource_id": "vm-1", "resource_type": "OS::Nova::Server", "resource_status": "CREATE_COMPLETE"}]}`)
	fc.Handle("GET", heat+"/stacks/web/s-1/template", 200, `{"resources": {"vol": {"type": "OS::Cinder::Volume", "deletion_policy": "Retain"}, "server": {"type": "OS::Nova::Server"}}}`)
	tool := toolstest.Tool(t, Tools(), "stack.delete")
	ctx := cloud.WithReadOnly(context.Background())
	chk, err := tool.Check(ctx, fc.Env(), tools.JSON(DeleteArgs{Stack: "web"}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{
		"resource vol has deletion_policy Retain: Heat leaves it behind, outside any stack",
		"deleting stack web deletes its 2 resources (nested stacks included); there is no undo",
	}, findings(chk, tools.Warn)); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	pv, err := tool.Preview(ctx, fc.Env(), chk.Resolved, chk)
	if err != nil {
		t.Fatal(err)
	}
	var fates []string
	for _, d := range pv.Deletes {
		fates = append(fates, d.Name+": "+d.Fate)
	}
	if diff := cmp.Diff([]string{"web: deleted with everything below", "server: deleted with the stack", "vol: kept (deletion_policy Retain), no longer in any stack"}, fates); diff != "" {
		t.Errorf("deletes (-want +got):\n%s", diff)
	}
	if tool.Undo != nil {
		t.Error("a stack delete has an undo")
	}
}

func TestTriage(t *testing.T) {
	fc := fakeCloud(t)
	fc.Handle("GET", heat+"/stacks/web", 200, stackJSON("web", "s-1", "UPDATE_FAILED", ""))
	fc.HandleFunc("GET", heat+"/stacks/web/s-1/resources", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("nested_depth") != "5" {
			t.Errorf("resources query = %s, want nested_depth=5", r.URL.RawQuery)
		}
		_, _ = io.WriteString(w, `{"resources": [
		{"resource_name": "net", "physical_resource_id": "n-1", "resource_type": "OS::Neutron::Net", "resource_status": "CREATE_COMPLETE"},
		{"resource_name": "vm", "physical_resource_id": "vm-1", "resource_type": "OS::Nova::Server", "resource_status": "CREATE_FAILED", "resource_status_reason": "ResourceInError: resources.vm: Went to status ERROR"},
		{"resource_name": "db", "physical_resource_id": "s-2", "resource_type": "db.yaml", "resource_status": "UPDATE_FAILED", "resource_status_reason": "nested failed"},
		{"resource_name": "port", "physical_resource_id": "p-1", "resource_type": "OS::Neutron::Port", "resource_status": "CREATE_FAILED", "resource_status_reason": "port down", "parent_resource": "db", "stack_name": "web-db-1",
		 "links": [{"rel": "stack", "href": "http://h/v1/p-1/stacks/web-db-1/s-2"}]},
		{"resource_name": "fip", "physical_resource_id": "", "resource_type": "OS::Neutron::FloatingIP", "resource_status": "CREATE_FAILED", "resource_status_reason": "BadRequest: no external network"}]}`)
	})
	fc.Handle("GET", toolstest.ComputePrefix+"/servers/vm-1", 200, `{"server": {"id": "vm-1", "status": "ERROR", "fault": {"message": "No valid host was found.", "code": 500}}}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/ports/p-1", 200, `{"port": {"id": "p-1", "status": "DOWN", "binding:vif_type": "binding_failed"}}`)
	tool := toolstest.Tool(t, Tools(), "stack.triage")
	res, err := tool.Run(context.Background(), fc.Env(), tools.JSON(TriageArgs{Stack: "web"}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range res.List.Rows {
		got = append(got, strings.Join([]string{row[0].(string), row[2].(string), row[4].(string), row[5].(string)}, " | "))
	}
	want := []string{
		"db | UPDATE_FAILED | a nested stack | /stack resource list s-2 --nested-depth 5",
		"db/port | CREATE_FAILED | port DOWN, binding failed (no agent could bind it on the host) | /port show p-1",
		"fip | CREATE_FAILED | not created | /stack resource show web fip",
		"vm | CREATE_FAILED | server ERROR: No valid host was found. | /server show vm-1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("triage (-want +got):\n%s", diff)
	}
	if !strings.Contains(res.Message, "stack web is UPDATE_FAILED: reason of UPDATE_FAILED; 4 failed resource(s)") {
		t.Errorf("message = %q", res.Message)
	}
}

func TestAbandonNotEnabled(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "web.json")
	fc := fakeCloud(t)
	fc.Handle("GET", heat+"/stacks/s-1", 200, stackJSON("web", "s-1", "CREATE_COMPLETE", ""))
	fc.Handle("DELETE", heat+"/stacks/web/s-1/abandon", 400, `{"code": 400, "error": {"type": "NotSupported", "message": "Stack Abandon is not supported."}}`)
	tool := toolstest.Tool(t, Tools(), "stack.abandon")
	_, err := tool.Run(context.Background(), fc.Env(), tools.JSON(AbandonArgs{Stack: "s-1", OutputFile: out}))
	var ne *orchestration.NotEnabledError
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "this cloud's Heat does not enable stack abandon (its operator has not set enable_stack_abandon = true in heat.conf); nothing was changed") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the claimed file was left behind: %v", err)
	}
}

func TestShowAndOutputs(t *testing.T) {
	fc := fakeCloud(t)
	fc.Handle("GET", heat+"/stacks/web", 200, stackJSON("web", "s-1", "CREATE_FAILED", ""))
	res, err := toolstest.Tool(t, Tools(), "stack.show").Run(context.Background(), fc.Env(), tools.JSON(ShowArgs{Stack: "web"}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"flavor": "m1.nano"}, res.Record.Get("parameters")); diff != "" {
		t.Errorf("parameters without Heat's pseudo parameters (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"ip=10.0.0.5"}, res.Record.Get("outputs")); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if !strings.Contains(res.Message, "/stack triage web") {
		t.Errorf("a failed stack's show does not point at triage: %q", res.Message)
	}
	res, err = toolstest.Tool(t, Tools(), "stack.output.show").Run(context.Background(), fc.Env(), tools.JSON(OutputShowArgs{Stack: "web", Output: "nosuch"}))
	if err == nil || !strings.Contains(err.Error(), `stack web has no output "nosuch"; its outputs are [ip]`) {
		t.Errorf("unknown output: res %v, err %v", res, err)
	}
}
