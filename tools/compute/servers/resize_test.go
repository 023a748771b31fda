package servers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestResizeCheck(t *testing.T) {
	tests := []struct {
		name      string
		server    string
		flavor    string
		quota     bool // the check gets as far as the quota
		cores     [2]int
		wantBlock string
		wantQuota []tools.QuotaUse
	}{
		{name: "up from small to large", server: serverBody("ACTIVE", "", false, small, cirrosID), flavor: "4", quota: true, cores: [2]int{1, 20},
			wantQuota: []tools.QuotaUse{
				{Service: "compute", Resource: "cores", InUse: 1, Limit: 20, Delta: 3},
				{Service: "compute", Resource: "ram", InUse: 512, Limit: 51200, Delta: 8192 - 2048},
			}},
		{name: "a stopped server may resize", server: serverBody("SHUTOFF", "", false, small, cirrosID), flavor: "4", quota: true, cores: [2]int{1, 20}},
		{name: "cores quota exceeded", server: serverBody("ACTIVE", "", false, small, cirrosID), flavor: "4", quota: true, cores: [2]int{19, 20},
			wantBlock: "cores quota exceeded: 19 in use + 3 needed > limit 20 (1 free)"},
		{name: "same flavor", server: serverBody("ACTIVE", "", false, small, cirrosID), flavor: "2",
			wantBlock: "server web-1 already has flavor m1.small; choose another flavor"},
		{name: "missing flavor", server: serverBody("ACTIVE", "", false, small, cirrosID), flavor: "m1.huge",
			wantBlock: `no flavor named or with ID "m1.huge"`},
		{name: "smaller disk", server: serverBody("ACTIVE", "", false, small, cirrosID), flavor: "1", quota: true, cores: [2]int{1, 20},
			wantBlock: "flavor m1.tiny has a 1 GB root disk, smaller than the server's 20 GB; Nova cannot shrink a disk"},
		{name: "paused", server: serverBody("PAUSED", "", false, small, cirrosID), flavor: "4", quota: true, cores: [2]int{1, 20},
			wantBlock: "server web-1 is PAUSED; resize needs it to be ACTIVE or SHUTOFF"},
		{name: "busy", server: serverBody("ACTIVE", "rebooting", false, small, cirrosID), flavor: "4", quota: true, cores: [2]int{1, 20},
			wantBlock: "busy (rebooting)"},
		{name: "locked", server: serverBody("ACTIVE", "", true, small, cirrosID), flavor: "4", quota: true, cores: [2]int{1, 20},
			wantBlock: "server web-1 is locked; unlock it first with /server unlock web-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			stubServer(fc, tt.server)
			stubFlavor(fc, tt.flavor)
			if tt.quota {
				stubToken(fc)
				stubComputeQuota(fc, [2]int{1, 10}, tt.cores, [2]int{512, 51200})
			}
			chk := check(t, fc, "server.resize", ResizeArgs{Server: launchServerID, Flavor: tt.flavor})
			wantBlock(t, chk, tt.wantBlock)
			if chk.Targets[0] != (tools.Target{Kind: "server", ID: launchServerID, Name: "web-1"}) {
				t.Errorf("targets = %+v", chk.Targets)
			}
			if tt.wantQuota != nil {
				if diff := cmp.Diff(tt.wantQuota, chk.Quota); diff != "" {
					t.Errorf("quota (-want +got):\n%s", diff)
				}
				if string(chk.Resolved) != `{"server":"`+launchServerID+`","flavor":"4"}` {
					t.Errorf("resolved = %s", chk.Resolved)
				}
				if !strings.HasSuffix(chk.State, "flavor=m1.small") {
					t.Errorf("state = %q", chk.State)
				}
			}
		})
	}
}

// actionStub asserts the body of a server action and answers 202.
func actionStub(t *testing.T, fc *toolstest.Cloud, want string, reply string) {
	fc.HandleFunc("POST", toolstest.ComputePrefix+"/servers/"+launchServerID+"/action", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != want {
			t.Errorf("action body\n got %s\nwant %s", b, want)
		}
		if got := r.Header.Get("X-Openstack-Nova-Api-Version"); got != "2.79" {
			t.Errorf("microversion = %q", got)
		}
		w.Header().Set("X-Openstack-Request-Id", "req-action")
		if reply != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, reply)
	})
}

func TestResizePreviewRunUndo(t *testing.T) {
	fc := toolstest.New(t)
	actionStub(t, fc, `{"resize":{"flavorRef":"4"}}`, "")
	stubServer(fc, serverBody("RESIZE", "resize_migrating", false, small, cirrosID))
	resize := toolstest.Tool(t, Tools(), "server.resize")
	env := fc.Env()
	args := tools.JSON(ResizeArgs{Server: launchServerID, Flavor: "4"})
	chk := &tools.Check{
		Targets: []tools.Target{{Kind: "server", ID: launchServerID, Name: "web-1"}, {Kind: "flavor", ID: "4", Name: "m1.large"}},
		State:   "status=ACTIVE task= locked=false flavor=m1.small",
	}
	pv, err := resize.Preview(cloud.WithReadOnly(t.Context()), env, args, chk)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := servers.ResizeOpts{FlavorRef: "4"}.ToServerResizeMap()
	want := &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: fc.Server.URL + toolstest.ComputePrefix + "/servers/" + launchServerID + "/action", Body: body}},
		Changes: []tools.FieldChange{
			{Field: "flavor", From: "m1.small", To: "m1.large"},
			{Field: "status", From: "ACTIVE|SHUTOFF", To: "VERIFY_RESIZE"},
		},
	}
	if diff := cmp.Diff(want, pv); diff != "" {
		t.Errorf("preview (-want +got):\n%s", diff)
	}
	res, err := resize.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"req-action"}, res.RequestIDs); diff != "" {
		t.Errorf("request IDs (-want +got):\n%s", diff)
	}
	if aw := res.Await; aw == nil || !cmp.Equal(aw.Until, []string{"VERIFY_RESIZE"}) || !cmp.Equal(aw.Fail, []string{"ERROR"}) {
		t.Fatalf("await = %+v", aw)
	}
	if status, err := res.Await.Poll(context.Background(), env); err != nil || status != "RESIZE, resize_migrating" {
		t.Errorf("poll = %q, %v", status, err)
	}
	undo := resize.Undo(args, res)
	if undo == nil || undo.Tool != "server.resize.revert" || string(undo.Args) != `{"server":"`+launchServerID+`"}` {
		t.Errorf("undo = %+v", undo)
	}
}

func TestResizeConfirmRevert(t *testing.T) {
	for _, tt := range []struct {
		tool, key string
	}{
		{"server.resize.confirm", "confirmResize"},
		{"server.resize.revert", "revertResize"},
	} {
		t.Run(tt.tool, func(t *testing.T) {
			// Only from VERIFY_RESIZE.
			fc := toolstest.New(t)
			stubServer(fc, serverBody("ACTIVE", "", false, small, cirrosID))
			chk := check(t, fc, tt.tool, ServerArgs{Server: launchServerID})
			verb := strings.TrimPrefix(tt.tool, "server.")
			verb = strings.ReplaceAll(verb, ".", " ")
			wantBlock(t, chk, fmt.Sprintf("server web-1 is ACTIVE; %s needs it to be VERIFY_RESIZE", verb))

			fc = toolstest.New(t)
			stubServer(fc, serverBody("VERIFY_RESIZE", "", false, large, cirrosID))
			chk = check(t, fc, tt.tool, ServerArgs{Server: launchServerID})
			wantBlock(t, chk, "")
			if string(chk.Resolved) != `{"server":"`+launchServerID+`"}` {
				t.Errorf("resolved = %s", chk.Resolved)
			}

			tl := toolstest.Tool(t, Tools(), tt.tool)
			env := fc.Env()
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), env, chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			wantReq := []tools.Request{{Method: "POST", URL: fc.Server.URL + toolstest.ComputePrefix + "/servers/" + launchServerID + "/action", Body: map[string]any{tt.key: nil}}}
			if diff := cmp.Diff(wantReq, pv.Requests); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			actionStub(t, fc, `{"`+tt.key+`":null}`, "")
			res, err := tl.Run(t.Context(), env, chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			if aw := res.Await; aw == nil || !cmp.Equal(aw.Until, []string{"ACTIVE", "SHUTOFF"}) {
				t.Errorf("await = %+v", aw)
			}
			if tl.Undo != nil {
				t.Errorf("%s has an undo", tt.tool)
			}
			if diff := cmp.Diff([]string{"req-action"}, res.RequestIDs); diff != "" {
				t.Errorf("request IDs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRebuild(t *testing.T) {
	tests := []struct {
		name      string
		server    string
		args      RebuildArgs
		stub      func(fc *toolstest.Cloud)
		wantBlock string
		wantArgs  RebuildArgs
	}{
		{name: "current image by default", server: serverBody("ACTIVE", "", false, small, cirrosID), args: RebuildArgs{Server: launchServerID},
			stub: func(fc *toolstest.Cloud) { stubImage(fc, cirrosID, cirros) }, wantArgs: RebuildArgs{Server: launchServerID, Image: cirrosID}},
		{name: "from ERROR with a new name", server: serverBody("ERROR", "", false, small, cirrosID), args: RebuildArgs{Server: launchServerID, Image: "cirros", Name: "web-2"},
			stub: func(fc *toolstest.Cloud) { stubImageByName(fc, cirros) }, wantArgs: RebuildArgs{Server: launchServerID, Image: cirrosID, Name: "web-2"}},
		{name: "image too big for the flavor", server: serverBody("SHUTOFF", "", false, small, cirrosID), args: RebuildArgs{Server: launchServerID, Image: bigID},
			stub: func(fc *toolstest.Cloud) { stubImage(fc, bigID, big) }, wantBlock: "image big needs at least 4096 MB of RAM; the server's flavor m1.small has 2048 MB"},
		{name: "booted from a volume, no image named", server: serverBody("ACTIVE", "", false, small, ""), args: RebuildArgs{Server: launchServerID},
			wantBlock: "was booted from a volume and has no image to rebuild from"},
		{name: "locked", server: serverBody("ACTIVE", "", true, small, cirrosID), args: RebuildArgs{Server: launchServerID},
			stub: func(fc *toolstest.Cloud) { stubImage(fc, cirrosID, cirros) }, wantBlock: "server web-1 is locked"},
		{name: "suspended", server: serverBody("SUSPENDED", "", false, small, cirrosID), args: RebuildArgs{Server: launchServerID},
			stub: func(fc *toolstest.Cloud) { stubImage(fc, cirrosID, cirros) }, wantBlock: "rebuild needs it to be ACTIVE or SHUTOFF or ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			stubServer(fc, tt.server)
			if tt.stub != nil {
				tt.stub(fc)
			}
			chk := check(t, fc, "server.rebuild", tt.args)
			wantBlock(t, chk, tt.wantBlock)
			if tt.wantBlock != "" {
				return
			}
			if !hasFinding(chk, tools.Warn, "rebuilding wipes the root disk of server web-1") {
				t.Errorf("findings %+v, want the wipe warning", chk.Findings)
			}
			got, err := tools.Decode[RebuildArgs](chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantArgs, got); diff != "" {
				t.Errorf("resolved (-want +got):\n%s", diff)
			}
			rebuild := toolstest.Tool(t, Tools(), "server.rebuild")
			env := fc.Env()
			pv, err := rebuild.Preview(cloud.WithReadOnly(t.Context()), env, tools.JSON(tt.args), chk)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := servers.RebuildOpts{ImageRef: cirrosID, Name: tt.wantArgs.Name}.ToServerRebuildMap()
			if diff := cmp.Diff([]tools.Request{{Method: "POST", URL: fc.Server.URL + toolstest.ComputePrefix + "/servers/" + launchServerID + "/action", Body: body}}, pv.Requests); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			wire, _ := json.Marshal(body)
			actionStub(t, fc, string(wire), `{"server": {"id": "`+launchServerID+`", "adminPass": "s3cret"}}`)
			res, err := rebuild.Run(t.Context(), env, chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(res.Message+jsonOf(t, res.Outputs), "s3cret") {
				t.Errorf("result shows the admin password")
			}
			if aw := res.Await; aw == nil || !cmp.Equal(aw.Until, []string{"ACTIVE", "SHUTOFF"}) || !cmp.Equal(aw.Fail, []string{"ERROR"}) {
				t.Errorf("await = %+v", aw)
			}
			if rebuild.Undo != nil || rebuild.Effect != tools.Destroy {
				t.Errorf("rebuild: effect %s, undo %v; want destroy without undo", rebuild.Effect, rebuild.Undo != nil)
			}
		})
	}
}

// TestPollFromError: a server rebuilt from ERROR is still ERROR while the
// rebuild runs; the poll must not read that as the failure.
func TestPollFromError(t *testing.T) {
	fc := toolstest.New(t)
	stubServer(fc, serverBody("ERROR", "rebuilding", false, small, cirrosID))
	status, err := pollServer(launchServerID)(context.Background(), fc.Env())
	if err != nil || status != "rebuilding (from ERROR)" {
		t.Errorf("poll = %q, %v", status, err)
	}
}
