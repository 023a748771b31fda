package trunks

import (
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

const (
	trunkID  = "7e000000-0000-4000-8000-000000000001"
	parentID = "9a000000-0000-4000-8000-000000000001"
	sub1ID   = "9a000000-0000-4000-8000-000000000002"
	sub2ID   = "9a000000-0000-4000-8000-000000000003"
	usedID   = "9a000000-0000-4000-8000-000000000004"
	vmID     = "4e000000-0000-4000-8000-000000000001"
)

var portBodies = map[string]string{
	parentID: `{"id": "` + parentID + `", "name": "parent", "device_owner": "", "fixed_ips": []}`,
	sub1ID:   `{"id": "` + sub1ID + `", "name": "sub1", "device_owner": "trunk:subport", "device_id": "` + trunkID + `", "fixed_ips": []}`,
	sub2ID:   `{"id": "` + sub2ID + `", "name": "sub2", "device_owner": "", "fixed_ips": []}`,
	usedID:   `{"id": "` + usedID + `", "name": "used", "device_owner": "compute:nova", "device_id": "` + vmID + `", "fixed_ips": []}`,
}

func trunkJSON() string {
	return `{"id": "` + trunkID + `", "name": "t1", "port_id": "` + parentID + `", "status": "ACTIVE", "admin_state_up": true,
	 "sub_ports": [{"port_id": "` + sub1ID + `", "segmentation_type": "vlan", "segmentation_id": 100}]}`
}

// trunkCloud is a fake cloud with the trunk extension, trunk t1 (parent
// port "parent", subport sub1 on VLAN 100) and ports by name and ID.
func trunkCloud(t *testing.T) *toolstest.Cloud {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.NetworkPrefix+"/extensions/trunk", http.StatusOK, `{"extension": {"alias": "trunk", "name": "Trunk Extension"}}`)
	for id, body := range portBodies {
		fc.Optional("GET", toolstest.NetworkPrefix+"/ports/"+id, http.StatusOK, `{"port": `+body+`}`)
	}
	fc.OptionalFunc("GET", toolstest.NetworkPrefix+"/ports", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for _, body := range portBodies {
			if strings.Contains(body, fmt.Sprintf(`"name": %q`, r.URL.Query().Get("name"))) {
				fmt.Fprintf(w, `{"ports": [%s]}`, body)
				return
			}
		}
		fmt.Fprint(w, `{"ports": []}`)
	})
	fc.Optional("GET", toolstest.NetworkPrefix+"/trunks/"+trunkID, http.StatusOK, `{"trunk": `+trunkJSON()+`}`)
	fc.OptionalFunc("GET", toolstest.NetworkPrefix+"/trunks", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if n := r.URL.Query().Get("name"); n == "t1" || n == "" {
			fmt.Fprint(w, `{"trunks": [`+trunkJSON()+`]}`)
			return
		}
		fmt.Fprint(w, `{"trunks": []}`)
	})
	fc.Optional("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "`+vmID+`", "name": "vm-1"}]}`)
	return fc
}

func findings(chk *tools.Check, l tools.Level) string {
	var out []string
	for _, f := range chk.Findings {
		if f.Level == l {
			out = append(out, f.Text)
		}
	}
	return strings.Join(out, "\n")
}

// TestNoExtension: on a cloud without trunks every trunk tool says so,
// and asks the cloud nothing but whether it has the extension (the fake
// fails the test on any other request).
func TestNoExtension(t *testing.T) {
	reads := map[string]string{"trunk.list": `{}`, "trunk.show": `{"trunk": "t1"}`}
	changes := map[string]string{
		"trunk.create":         `{"name": "t1", "parent_port": "parent", "subports": ["port=sub2,segmentation-type=vlan,segmentation-id=101"]}`,
		"trunk.add.subport":    `{"trunk": "t1", "subports": ["port=sub2,segmentation-type=vlan,segmentation-id=101"]}`,
		"trunk.remove.subport": `{"trunk": "t1", "subports": ["sub1"]}`,
		"trunk.delete":         `{"trunk": "t1"}`,
	}
	for name, args := range reads {
		t.Run(name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.NetworkPrefix+"/extensions/trunk", http.StatusNotFound, `{"NeutronError": {"message": "Extension with alias trunk does not exist"}}`)
			_, err := toolstest.Tool(t, Tools(), name).Run(t.Context(), fc.Env(), json.RawMessage(args))
			if !errors.Is(err, ErrNoTrunk) || !strings.HasPrefix(err.Error(), "this cloud's Neutron has no trunk extension") {
				t.Errorf("err = %v", err)
			}
		})
	}
	for name, args := range changes {
		t.Run(name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.NetworkPrefix+"/extensions/trunk", http.StatusNotFound, `{"NeutronError": {"message": "Extension with alias trunk does not exist"}}`)
			tl := toolstest.Tool(t, Tools(), name)
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(args))
			if err != nil {
				t.Fatal(err)
			}
			if got := findings(chk, tools.Block); got != ErrNoTrunk.Error() || len(chk.Findings) != 1 {
				t.Errorf("findings = %+v", chk.Findings)
			}
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(args), chk)
			if err != nil || len(pv.Requests) != 0 {
				t.Errorf("preview = %+v, %v", pv, err)
			}
		})
	}
}

func TestReads(t *testing.T) {
	fc := trunkCloud(t)
	env := fc.Env()
	res, err := toolstest.Run(t, env, Tools(), "trunk.list", ListArgs{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{trunkID, "t1", parentID, "", "ACTIVE", "UP", []string{"port_id='" + sub1ID + "', segmentation_id='100', segmentation_type='vlan'"}, "", ""}}
	if diff := cmp.Diff(want, res.List.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	res, err = toolstest.Run(t, env, Tools(), "trunk.show", ShowArgs{Trunk: "t1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Record.Get("port_id"); got != parentID {
		t.Errorf("port_id = %v", got)
	}
}

func TestCreate(t *testing.T) {
	tests := []struct {
		name  string
		args  string
		block string
	}{
		{name: "a subport on a VLAN", args: `{"name": "t2", "parent_port": "sub2", "subports": ["port=parent,segmentation-type=vlan,segmentation-id=101"]}`},
		{name: "the parent as its own subport", args: `{"name": "t2", "parent_port": "sub2", "subports": [{"port": "sub2", "segmentation_id": 5}]}`,
			block: "port sub2 is the trunk's parent port; a subport must be another port"},
		{name: "a subport of another trunk", args: `{"name": "t2", "parent_port": "sub2", "subports": ["port=sub1,segmentation-id=7"]}`,
			block: "port sub1 is already a subport of trunk " + trunkID},
		{name: "a port a server uses", args: `{"name": "t2", "parent_port": "sub2", "subports": ["port=used,segmentation-id=7"]}`,
			block: "port used is used by compute:nova " + vmID + "; a subport must be a free port"},
		{name: "no VLAN", args: `{"name": "t2", "parent_port": "sub2", "subports": ["port=parent"]}`,
			block: "subport parent needs segmentation-id=1..4094 for a VLAN"},
		{name: "a spec the CLI would not take", args: `{"name": "t2", "parent_port": "sub2", "subports": ["parent:100"]}`,
			block: `--subport takes port=PORT,segmentation-type=SEGMENTATION_TYPE,segmentation-id=SEGMENTATION_ID (comma-separated), not "parent:100"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := trunkCloud(t)
			tl := toolstest.Tool(t, Tools(), "trunk.create")
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			if got := findings(chk, tools.Block); tt.block == "" && got != "" || !strings.Contains(got, tt.block) {
				t.Fatalf("blocks %q, want %q", got, tt.block)
			}
			if tt.block != "" {
				return
			}
			want := `{"name":"t2","parent_port":"` + sub2ID + `","subports":[{"port":"` + parentID + `","segmentation_type":"vlan","segmentation_id":101}]}`
			if string(chk.Resolved) != want {
				t.Errorf("resolved = %s\nwant       %s", chk.Resolved, want)
			}
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := json.Marshal(pv.Requests[0].Body)
			wantBody := `{"trunk":{"name":"t2","port_id":"` + sub2ID + `","sub_ports":[{"port_id":"` + parentID + `","segmentation_id":101,"segmentation_type":"vlan"}]}}`
			if string(body) != wantBody {
				t.Errorf("body = %s\nwant   %s", body, wantBody)
			}
			fc.HandleFunc("POST", toolstest.NetworkPrefix+"/trunks", func(w http.ResponseWriter, r *http.Request) {
				if b, _ := io.ReadAll(r.Body); string(b) != wantBody {
					t.Errorf("POST body = %s", b)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusCreated)
				fmt.Fprint(w, `{"trunk": {"id": "t2-id", "name": "t2", "port_id": "`+sub2ID+`", "sub_ports": [{}]}}`)
			})
			res, err := tl.Run(t.Context(), fc.Env(), chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			if undo := tl.Undo(chk.Resolved, res); undo == nil || undo.Tool != "trunk.delete" || string(undo.Args) != `{"trunk":"t2-id"}` {
				t.Errorf("undo = %+v", undo)
			}
		})
	}
}

func TestAddAndRemoveSubports(t *testing.T) {
	fc := trunkCloud(t)
	env := fc.Env()
	add := toolstest.Tool(t, Tools(), "trunk.add.subport")
	chk, err := add.Check(cloud.WithReadOnly(t.Context()), env, json.RawMessage(`{"trunk": "t1", "subports": ["port=sub2,segmentation-type=vlan,segmentation-id=100"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := findings(chk, tools.Block); !strings.Contains(got, "VLAN 100 is already used on this trunk by port "+sub1ID) {
		t.Errorf("blocks = %q", got)
	}
	chk, err = add.Check(cloud.WithReadOnly(t.Context()), env, json.RawMessage(`{"trunk": "t1", "subports": ["port=sub2,segmentation-id=101"]}`))
	if err != nil || chk.Blocked() {
		t.Fatalf("check: %v %+v", err, chk)
	}
	fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/trunks/"+trunkID+"/add_subports", func(w http.ResponseWriter, r *http.Request) {
		want := `{"sub_ports":[{"port_id":"` + sub2ID + `","segmentation_id":101,"segmentation_type":"vlan"}]}`
		if b, _ := io.ReadAll(r.Body); string(b) != want {
			t.Errorf("add body = %s", b)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, trunkJSON())
	})
	res, err := add.Run(t.Context(), env, chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	undo := add.Undo(chk.Resolved, res)
	if undo == nil || undo.Tool != "trunk.remove.subport" || string(undo.Args) != `{"trunk":"`+trunkID+`","subports":["`+sub2ID+`"]}` {
		t.Errorf("undo of add = %+v", undo)
	}

	remove := toolstest.Tool(t, Tools(), "trunk.remove.subport")
	chk, err = remove.Check(cloud.WithReadOnly(t.Context()), env, json.RawMessage(`{"trunk": "t1", "subports": ["sub2"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := findings(chk, tools.Block); got != "port sub2 is not a subport of trunk t1; its subports are "+sub1ID {
		t.Errorf("blocks = %q", got)
	}
	chk, err = remove.Check(cloud.WithReadOnly(t.Context()), env, json.RawMessage(`{"trunk": "t1", "subports": ["sub1"]}`))
	if err != nil || chk.Blocked() {
		t.Fatalf("check: %v %+v", err, chk)
	}
	fc.Handle("PUT", toolstest.NetworkPrefix+"/trunks/"+trunkID+"/remove_subports", http.StatusOK, `{"id": "`+trunkID+`", "name": "t1", "sub_ports": []}`)
	res, err = remove.Run(t.Context(), env, chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	undo = remove.Undo(chk.Resolved, res)
	if undo == nil || undo.Tool != "trunk.add.subport" || string(undo.Args) != `{"trunk":"`+trunkID+`","subports":[{"port":"`+sub1ID+`","segmentation_type":"vlan","segmentation_id":100}]}` {
		t.Errorf("undo of remove = %+v", undo)
	}
	if err := toolstest.Registry(t, Tools()).Validate(undo.Tool, undo.Args); err != nil {
		t.Errorf("the undo fails its schema: %v", err)
	}
}

func TestDelete(t *testing.T) {
	fc := trunkCloud(t)
	env := fc.Env()
	del := toolstest.Tool(t, Tools(), "trunk.delete")
	chk, err := del.Check(cloud.WithReadOnly(t.Context()), env, json.RawMessage(`{"trunk": "t1"}`))
	if err != nil || chk.Blocked() {
		t.Fatalf("check: %v %+v", err, chk)
	}
	pv, err := del.Preview(cloud.WithReadOnly(t.Context()), env, chk.Resolved, chk)
	if err != nil {
		t.Fatal(err)
	}
	want := []tools.Dependent{
		{Kind: "trunk", ID: trunkID, Name: "t1", Fate: "deleted"},
		{Kind: "port", ID: parentID, Fate: "parent port, kept"},
		{Kind: "port", ID: sub1ID, Fate: "subport (vlan 100), released from the trunk and kept"},
	}
	if diff := cmp.Diff(want, pv.Deletes); diff != "" {
		t.Errorf("deletes (-want +got):\n%s", diff)
	}
	fc.Handle("DELETE", toolstest.NetworkPrefix+"/trunks/"+trunkID, http.StatusNoContent, "")
	if _, err := del.Run(t.Context(), env, chk.Resolved); err != nil {
		t.Fatal(err)
	}
}

func TestDeleteInUse(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.NetworkPrefix+"/extensions/trunk", http.StatusOK, `{"extension": {"alias": "trunk"}}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/trunks/"+trunkID, http.StatusOK, `{"trunk": `+trunkJSON()+`}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/ports/"+parentID, http.StatusOK, `{"port": {"id": "`+parentID+`", "name": "parent", "device_owner": "compute:nova", "device_id": "`+vmID+`"}}`)
	fc.Handle("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "`+vmID+`", "name": "vm-1"}]}`)
	chk, err := toolstest.Tool(t, Tools(), "trunk.delete").Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(`{"trunk": "`+trunkID+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := "trunk t1 is in use: its parent port parent is plugged into server vm-1, and Neutron refuses to delete a trunk in use"
	if got := findings(chk, tools.Block); !strings.HasPrefix(got, want) {
		t.Errorf("blocks = %q", got)
	}
}

func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	tests := []struct {
		tool, args string
		ok         bool
	}{
		{"trunk.create", `{"name": "t", "parent_port": "p"}`, true},
		{"trunk.create", `{"name": "t", "parent_port": "p", "subports": [{"port": "s", "segmentation_type": "vlan", "segmentation_id": 4095}]}`, false},
		{"trunk.add.subport", `{"trunk": "t"}`, false},
		{"trunk.remove.subport", `{"trunk": "t", "subports": ["s"]}`, true},
		{"trunk.delete", `{"trunk": "t"}`, true},
	}
	for _, tt := range tests {
		if err := reg.Validate(tt.tool, json.RawMessage(tt.args)); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, tt.args, err, tt.ok)
		}
	}
}
