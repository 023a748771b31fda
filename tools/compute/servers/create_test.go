package servers

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestCreateCheck(t *testing.T) {
	private := netJSON(netID, "private", project, false, false)
	tests := []struct {
		name         string
		args         CreateArgs
		stub         func(fc *toolstest.Cloud)
		wantBlock    string
		wantInfo     string
		wantResolved *CreateArgs
		wantQuota    []tools.QuotaUse
	}{
		{
			name: "names resolve and the only network is picked",
			args: CreateArgs{Name: "web-1", Flavor: "m1.small", Image: "cirros"},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "m1.small")
				stubImageByName(fc, cirros, big)
				stubNetworks(fc, private, netJSON(extID, "public", "admin", true, false), netJSON(net2ID, "theirs", "p2", false, false))
				roomyQuota(fc)
			},
			wantInfo:     "no network given: using private, the project's only network",
			wantResolved: &CreateArgs{Name: "web-1", Flavor: "2", Image: cirrosID, Networks: []string{netID}},
			wantQuota: []tools.QuotaUse{
				{Service: "compute", Resource: "instances", InUse: 1, Limit: 10, Delta: 1},
				{Service: "compute", Resource: "cores", InUse: 1, Limit: 20, Delta: 1},
				{Service: "compute", Resource: "ram", InUse: 512, Limit: 51200, Delta: 2048},
				{Service: "network", Resource: "port", InUse: 3, Limit: 500, Delta: 1},
			},
		},
		{
			name: "missing flavor",
			args: CreateArgs{Name: "web-1", Flavor: "m1.huge", Image: cirrosID, Networks: []string{netID}},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "m1.huge")
				stubImage(fc, cirrosID, cirros)
				stubNetwork(fc, netID, private)
				stubPortQuota(fc, 3, 500)
			},
			wantBlock: `no flavor named or with ID "m1.huge"`,
		},
		{
			name: "missing image",
			args: CreateArgs{Name: "web-1", Flavor: "2", Image: "ubuntu", Networks: []string{netID}},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "2")
				stubImageByName(fc, cirros)
				stubNetwork(fc, netID, private)
				roomyQuota(fc)
			},
			wantBlock: `no image named or with ID "ubuntu"`,
		},
		{
			name: "image needs more RAM than the flavor has",
			args: CreateArgs{Name: "web-1", Flavor: "1", Image: bigID, Networks: []string{netID}},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "1")
				stubImage(fc, bigID, big)
				stubNetwork(fc, netID, private)
				roomyQuota(fc)
			},
			wantBlock: "image big needs at least 4096 MB of RAM; flavor m1.tiny has 512 MB",
		},
		{
			name: "image needs more disk than the flavor has",
			args: CreateArgs{Name: "web-1", Flavor: "2", Image: bigID, Networks: []string{netID}},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "2")
				stubImage(fc, bigID, big)
				stubNetwork(fc, netID, private)
				roomyQuota(fc)
			},
			wantBlock: "image big needs a disk of at least 40 GB; flavor m1.small has 20 GB",
		},
		{
			name: "a new volume too small for the image",
			args: CreateArgs{Name: "web-1", Flavor: "4", Image: bigID, VolumeSize: 10, Networks: []string{netID}},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "4")
				stubImage(fc, bigID, big)
				stubNetwork(fc, netID, private)
				roomyQuota(fc)
				fc.Handle("GET", toolstest.VolumePrefix+"/os-quota-sets/"+project, http.StatusOK,
					`{"quota_set": {"volumes": {"in_use": 1, "limit": 10, "reserved": 0}, "gigabytes": {"in_use": 5, "limit": 1000, "reserved": 0}}}`)
			},
			wantBlock: "image big needs a disk of at least 40 GB; --volume-size is 10 GB",
		},
		{
			name: "cores quota exceeded by three servers",
			args: CreateArgs{Name: "web", Flavor: "4", Image: cirrosID, Networks: []string{netID}, Count: 3},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "4")
				stubImage(fc, cirrosID, cirros)
				stubNetwork(fc, netID, private)
				stubComputeQuota(fc, [2]int{2, 10}, [2]int{12, 20}, [2]int{1024, 51200})
				stubPortQuota(fc, 3, 500)
			},
			wantBlock: "cores quota exceeded: 12 in use + 12 needed > limit 20 (8 free)",
			wantQuota: []tools.QuotaUse{
				{Service: "compute", Resource: "instances", InUse: 2, Limit: 10, Delta: 3},
				{Service: "compute", Resource: "cores", InUse: 12, Limit: 20, Delta: 12},
				{Service: "compute", Resource: "ram", InUse: 1024, Limit: 51200, Delta: 3 * 8192},
				{Service: "network", Resource: "port", InUse: 3, Limit: 500, Delta: 3},
			},
		},
		{
			name: "ram quota exceeded",
			args: CreateArgs{Name: "web", Flavor: "4", Image: cirrosID, Networks: []string{netID}},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "4")
				stubImage(fc, cirrosID, cirros)
				stubNetwork(fc, netID, private)
				stubComputeQuota(fc, [2]int{2, 10}, [2]int{2, 20}, [2]int{48000, 51200})
				stubPortQuota(fc, 3, 500)
			},
			wantBlock: "ram quota exceeded: 48000 MB in use + 8192 MB needed > limit 51200 MB (3200 MB free)",
		},
		{
			name: "port quota exceeded",
			args: CreateArgs{Name: "web", Flavor: "2", Image: cirrosID, Networks: []string{netID}},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "2")
				stubImage(fc, cirrosID, cirros)
				stubNetwork(fc, netID, private)
				stubComputeQuota(fc, [2]int{1, 10}, [2]int{1, 20}, [2]int{512, 51200})
				stubPortQuota(fc, 50, 50)
			},
			wantBlock: "port quota exceeded: 50 in use + 1 needed > limit 50 (0 free)",
		},
		{
			name: "ambiguous network",
			args: CreateArgs{Name: "web-1", Flavor: "2", Image: cirrosID, Networks: []string{"private"}},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "2")
				stubImage(fc, cirrosID, cirros)
				stubNetworks(fc, private, netJSON(net2ID, "private", project, false, false))
				stubComputeQuota(fc, [2]int{1, 10}, [2]int{1, 20}, [2]int{512, 51200})
				stubPortQuota(fc, 3, 500)
			},
			wantBlock: "2 networks are named \"private\"; use an ID:\n  " + netID + "  private\n  " + net2ID + "  private",
		},
		{
			name: "several networks and none chosen",
			args: CreateArgs{Name: "web-1", Flavor: "2", Image: cirrosID},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "2")
				stubImage(fc, cirrosID, cirros)
				stubNetworks(fc, private, netJSON(net2ID, "shared-net", "admin", false, true))
				roomyQuota(fc)
			},
			wantBlock: "the project has 2 networks; choose with --networks: private (" + netID + "), shared-net (" + net2ID + ")",
		},
		{
			name: "boot volume in use and not bootable",
			args: CreateArgs{Name: "web-1", Flavor: "2", BootVolume: "data", Networks: []string{netID}},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "2")
				fc.Handle("GET", toolstest.VolumePrefix+"/volumes/detail", http.StatusOK,
					`{"volumes": [{"id": "`+volID+`", "name": "data", "status": "in-use", "bootable": "false", "size": 1}]}`)
				stubNetwork(fc, netID, private)
				roomyQuota(fc)
			},
			wantBlock: "volume data is in-use; a server can boot only from an available volume",
		},
		{
			name: "port in use and missing key pair",
			args: CreateArgs{Name: "web-1", Flavor: "2", Image: cirrosID, Ports: []string{portID}, KeyName: "nokey"},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "2")
				stubImage(fc, cirrosID, cirros)
				fc.Handle("GET", toolstest.NetworkPrefix+"/ports/"+portID, http.StatusOK,
					`{"port": {"id": "`+portID+`", "name": "p1", "network_id": "`+netID+`", "device_id": "other-server", "device_owner": "compute:nova"}}`)
				fc.Handle("GET", toolstest.ComputePrefix+"/os-keypairs/nokey", http.StatusNotFound, `{"itemNotFound": {"code": 404, "message": "Keypair nokey not found"}}`)
				roomyQuota(fc)
			},
			wantBlock: "port p1 is in use by nova other-server",
		},
		{
			name: "security group resolved to its ID",
			args: CreateArgs{Name: "web-1", Flavor: "2", Image: cirrosID, Networks: []string{netID}, SecurityGroups: []string{"web"}},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "2")
				stubImage(fc, cirrosID, cirros)
				stubNetwork(fc, netID, private)
				fc.Handle("GET", toolstest.NetworkPrefix+"/security-groups", http.StatusOK,
					`{"security_groups": [{"id": "`+sgID+`", "name": "web"}]}`)
				roomyQuota(fc)
			},
			wantResolved: &CreateArgs{Name: "web-1", Flavor: "2", Image: cirrosID, Networks: []string{netID}, SecurityGroups: []string{sgID}},
		},
		{
			name: "missing user data file",
			args: CreateArgs{Name: "web-1", Flavor: "2", Image: cirrosID, Networks: []string{netID}, UserDataFile: "/nonexistent/cloud-init.yaml"},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "2")
				stubImage(fc, cirrosID, cirros)
				stubNetwork(fc, netID, private)
				roomyQuota(fc)
			},
			wantBlock: "cannot read user data file /nonexistent/cloud-init.yaml: no such file or directory",
		},
		{
			name: "a network from an earlier step is not looked up",
			args: CreateArgs{Name: "web-1", Flavor: "2", Image: cirrosID, Networks: []string{"${net.id}"}},
			stub: func(fc *toolstest.Cloud) {
				stubFlavor(fc, "2")
				stubImage(fc, cirrosID, cirros)
				roomyQuota(fc)
			},
			wantResolved: &CreateArgs{Name: "web-1", Flavor: "2", Image: cirrosID, Networks: []string{"${net.id}"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			stubToken(fc)
			tt.stub(fc)
			chk := check(t, fc, "server.create", tt.args)
			wantBlock(t, chk, tt.wantBlock)
			if tt.wantInfo != "" && !hasFinding(chk, tools.Info, tt.wantInfo) {
				t.Errorf("findings %+v, want info %q", chk.Findings, tt.wantInfo)
			}
			if tt.wantResolved != nil {
				got, err := tools.Decode[CreateArgs](chk.Resolved)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(*tt.wantResolved, got); diff != "" {
					t.Errorf("resolved (-want +got):\n%s", diff)
				}
			}
			if tt.wantQuota != nil {
				if diff := cmp.Diff(tt.wantQuota, chk.Quota); diff != "" {
					t.Errorf("quota (-want +got):\n%s", diff)
				}
			}
			if len(chk.Targets) == 0 || chk.Targets[0] != (tools.Target{Kind: "server", Name: tt.args.Name}) {
				t.Errorf("targets = %+v, want the new server first", chk.Targets)
			}
		})
	}
}

func hasFinding(chk *tools.Check, level tools.Level, text string) bool {
	for _, f := range chk.Findings {
		if f.Level == level && strings.Contains(f.Text, text) {
			return true
		}
	}
	return false
}

func TestCreatePreview(t *testing.T) {
	tests := []struct {
		name string
		args CreateArgs
		opts servers.CreateOptsBuilder
		// wire is the body as JSON, to catch a layout error that the
		// builder comparison alone would share.
		wire        string
		wantCreates []string
	}{
		{
			name: "from an image",
			args: CreateArgs{Name: "web-1", Flavor: "2", Image: cirrosID, Networks: []string{netID}, KeyName: "mykey",
				SecurityGroups: []string{sgID}, Metadata: map[string]string{"role": "web"}, AvailabilityZone: "nova"},
			opts: keypairs.CreateOptsExt{KeyName: "mykey", CreateOptsBuilder: servers.CreateOpts{Name: "web-1", FlavorRef: "2", ImageRef: cirrosID, Networks: []servers.Network{{UUID: netID}},
				SecurityGroups: []string{sgID}, Metadata: map[string]string{"role": "web"}, AvailabilityZone: "nova"}},
			wire:        `{"server":{"availability_zone":"nova","flavorRef":"2","imageRef":"` + cirrosID + `","key_name":"mykey","metadata":{"role":"web"},"name":"web-1","networks":[{"uuid":"` + netID + `"}],"security_groups":[{"name":"` + sgID + `"}]}}`,
			wantCreates: []string{"server web-1 (m1.small, cirros) on private"},
		},
		{
			name: "three servers from a new volume on a port",
			args: CreateArgs{Name: "web", Flavor: "2", Image: cirrosID, VolumeSize: 10, DeleteOnTermination: true, Networks: []string{netID}, Count: 3},
			opts: servers.CreateOpts{Name: "web", FlavorRef: "2", Networks: []servers.Network{{UUID: netID}}, Min: 3, Max: 3,
				BlockDevice: []servers.BlockDevice{{SourceType: servers.SourceImage, UUID: cirrosID, DestinationType: servers.DestinationVolume, VolumeSize: 10, DeleteOnTermination: true}}},
			wire: `{"server":{"block_device_mapping_v2":[{"boot_index":0,"delete_on_termination":true,"destination_type":"volume","source_type":"image","uuid":"` + cirrosID + `","volume_size":10}],` +
				`"flavorRef":"2","imageRef":"","max_count":3,"min_count":3,"name":"web","networks":[{"uuid":"` + netID + `"}]}}`,
			wantCreates: []string{"3 servers web-1 … web-3 (m1.small, cirros) on private", "boot volume of 10 GB from image cirros per server, deleted with the server"},
		},
		{
			name: "from an existing volume and a port",
			args: CreateArgs{Name: "db", Flavor: "2", BootVolume: volID, Ports: []string{portID}},
			opts: servers.CreateOpts{Name: "db", FlavorRef: "2", Networks: []servers.Network{{Port: portID}},
				BlockDevice: []servers.BlockDevice{{SourceType: servers.SourceVolume, UUID: volID, DestinationType: servers.DestinationVolume}}},
			wire: `{"server":{"block_device_mapping_v2":[{"boot_index":0,"delete_on_termination":false,"destination_type":"volume","source_type":"volume","uuid":"` + volID + `"}],` +
				`"flavorRef":"2","imageRef":"","name":"db","networks":[{"port":"` + portID + `"}]}}`,
			wantCreates: []string{"server db (m1.small, volume boot) on port p1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			chk := &tools.Check{
				Targets: []tools.Target{{Kind: "server", Name: tt.args.Name}, {Kind: "flavor", ID: "2", Name: "m1.small"},
					{Kind: "image", ID: cirrosID, Name: "cirros"}, {Kind: "network", ID: netID, Name: "private"},
					{Kind: "volume", ID: volID, Name: "boot"}, {Kind: "port", ID: portID, Name: "p1"}},
				Resolved: tools.JSON(tt.args),
			}
			pv, err := toolstest.Tool(t, Tools(), "server.create").Preview(cloud.WithReadOnly(t.Context()), fc.Env(), tools.JSON(tt.args), chk)
			if err != nil {
				t.Fatal(err)
			}
			want, err := tt.opts.ToServerCreateMap()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]tools.Request{{Method: "POST", URL: fc.Server.URL + toolstest.ComputePrefix + "/servers", Body: want}}, pv.Requests); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if got := jsonOf(t, pv.Requests[0].Body); got != tt.wire {
				t.Errorf("wire body\n got %s\nwant %s", got, tt.wire)
			}
			if diff := cmp.Diff(tt.wantCreates, pv.Creates); diff != "" {
				t.Errorf("creates (-want +got):\n%s", diff)
			}
		})
	}
}

// canary is user data that must never be shown: not in a preflight, a
// dry-run, a result or an error.
const canary = "#cloud-config\npassword: CANARY-d41d8cd98f00b204\n"

func TestCreateUserDataNeverShown(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cloud-init.yaml")
	if err := os.WriteFile(file, []byte(canary), 0o600); err != nil {
		t.Fatal(err)
	}
	encoded := base64.StdEncoding.EncodeToString([]byte(canary))
	leaks := func(t *testing.T, what string, v any) {
		t.Helper()
		if res, ok := v.(*tools.Result); ok && res != nil {
			// The wait's Poll is a function; the rest is what is shown.
			shown := *res
			shown.Await = nil
			v = shown
		}
		s := jsonOf(t, v)
		if strings.Contains(s, "CANARY") || strings.Contains(s, encoded) || strings.Contains(s, encoded[:20]) {
			t.Errorf("%s shows the user data: %s", what, s)
		}
	}

	fc := toolstest.New(t)
	stubToken(fc)
	stubFlavor(fc, "2")
	stubImage(fc, cirrosID, cirros)
	stubNetworks(fc, netJSON(netID, "private", project, false, false))
	roomyQuota(fc)
	created := 0
	fc.HandleFunc("POST", toolstest.ComputePrefix+"/servers", func(w http.ResponseWriter, r *http.Request) {
		created++
		var body struct {
			Server map[string]any `json:"server"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Error(err)
		}
		// The cloud, and only the cloud, gets the content.
		if body.Server["user_data"] != encoded {
			t.Errorf("user_data = %v, want the file base64-encoded", body.Server["user_data"])
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Openstack-Request-Id", "req-create")
		if created == 1 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"badRequest": {"code": 400, "message": "Invalid key_name provided."}}`)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"server": {"id": "`+launchServerID+`", "adminPass": "s3cret", "links": []}}`)
	})

	create := toolstest.Tool(t, Tools(), "server.create")
	env := fc.Env()
	args := tools.JSON(CreateArgs{Name: "web-1", Flavor: "2", Image: cirrosID, UserDataFile: file})
	chk, err := create.Check(cloud.WithReadOnly(t.Context()), env, args)
	if err != nil {
		t.Fatal(err)
	}
	wantBlock(t, chk, "")
	leaks(t, "the preflight", chk)
	placeholder := "<" + strconv.Itoa(len(canary)) + " bytes from " + file + ">"
	if !hasFinding(chk, tools.Info, "user data: "+placeholder) {
		t.Errorf("findings %+v, want the placeholder", chk.Findings)
	}

	pv, err := create.Preview(cloud.WithReadOnly(t.Context()), env, args, chk)
	if err != nil {
		t.Fatal(err)
	}
	leaks(t, "the dry-run", pv)
	body := pv.Requests[0].Body.(map[string]any)["server"].(map[string]any)
	if body["user_data"] != placeholder {
		t.Errorf("user_data in the dry-run = %v, want %q", body["user_data"], placeholder)
	}

	res, err := create.Run(t.Context(), env, chk.Resolved)
	if err == nil {
		t.Fatal("no error from a refused create")
	}
	leaks(t, "the error", err.Error())
	leaks(t, "the failed result", res)
	if !strings.Contains(err.Error(), "Invalid key_name provided.") {
		t.Errorf("error %q does not say what Nova said", err)
	}

	res, err = create.Run(t.Context(), env, chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	leaks(t, "the result", res)
	if shown := res.Message + jsonOf(t, res.Outputs); strings.Contains(shown, "s3cret") {
		t.Errorf("result shows the admin password: %+v", res)
	}
}

func TestCreateRunAwaitUndo(t *testing.T) {
	fc := toolstest.New(t)
	fc.HandleFunc("POST", toolstest.ComputePrefix+"/servers", func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("X-Openstack-Nova-Api-Version"); got != "2.79" {
			t.Errorf("microversion = %q", got)
		}
		b, _ := io.ReadAll(r.Body)
		want := `{"server":{"flavorRef":"2","imageRef":"` + cirrosID + `","key_name":"mykey","name":"web-1","networks":[{"uuid":"` + netID + `"}]}}`
		if string(b) != want {
			t.Errorf("body\n got %s\nwant %s", b, want)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Openstack-Request-Id", "req-create")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"server": {"id": "`+launchServerID+`", "adminPass": "s3cret"}}`)
	})
	fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+launchServerID, http.StatusOK,
		`{"server": {"id": "`+launchServerID+`", "status": "ERROR", "OS-EXT-STS:task_state": null, "fault": {"code": 500, "message": "No valid host was found. "}}}`)
	create := toolstest.Tool(t, Tools(), "server.create")
	env := fc.Env()
	args := tools.JSON(CreateArgs{Name: "web-1", Flavor: "2", Image: cirrosID, Networks: []string{netID}, KeyName: "mykey"})
	if _, err := create.Run(cloud.WithReadOnly(t.Context()), env, args); err == nil || !strings.Contains(err.Error(), "may only read") {
		t.Errorf("run under read-only: err = %v", err)
	}
	res, err := create.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"id": launchServerID, "name": "web-1"}, res.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"req-create"}, res.RequestIDs); diff != "" {
		t.Errorf("request IDs (-want +got):\n%s", diff)
	}
	aw := res.Await
	if aw == nil || aw.Kind != "server" || aw.ID != launchServerID || !cmp.Equal(aw.Until, []string{"ACTIVE"}) || !cmp.Equal(aw.Fail, []string{"ERROR"}) {
		t.Fatalf("await = %+v", aw)
	}
	status, err := aw.Poll(context.Background(), env)
	if err != nil || status != "ERROR: No valid host was found. " {
		t.Errorf("poll = %q, %v", status, err)
	}
	undo := create.Undo(args, res)
	if undo == nil || undo.Tool != "server.delete" || string(undo.Args) != `{"server":"`+launchServerID+`"}` {
		t.Errorf("undo = %+v", undo)
	}
	if u := create.Undo(tools.JSON(CreateArgs{Name: "web", Count: 2}), res); u != nil {
		t.Errorf("undo of several servers = %+v, want none", u)
	}
}
