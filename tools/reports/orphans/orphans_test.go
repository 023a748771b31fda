package orphans

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/reports"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

var fixed = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func init() { now = func() time.Time { return fixed } }

// cloud is a project with an unattached volume and its snapshot, a stray
// floating IP, a lonely router, an unused group and key pair, a server
// shut off for 40 days and an old image of the project.
func cloud(t *testing.T) *toolstest.Cloud {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.IdentityPrefix+"/auth/tokens", http.StatusOK, `{"token": {"expires_at": "2030-01-01T12:00:00Z",
	 "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}},
	 "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}, "roles": [{"name": "member"}]}}`)
	fc.HandleFunc("GET", toolstest.ComputePrefix+"/servers/detail", func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get("X-OpenStack-Nova-API-Version"); v != "2.26" {
			t.Errorf("servers listed at microversion %q, want 2.26 (tags)", v)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"servers": [
		 {"id": "s1", "name": "web", "status": "ACTIVE", "key_name": "used", "image": {"id": "img-used"}, "updated": "2026-12-01T00:00:00Z", "created": "2026-01-01T00:00:00Z"},
		 {"id": "s2", "name": "old-vm", "status": "SHUTOFF", "key_name": null, "image": "", "updated": "2026-10-24T12:00:00Z", "created": "2026-01-01T00:00:00Z"}]}`))
	})
	fc.Handle("GET", toolstest.ComputePrefix+"/os-keypairs", http.StatusOK, `{"keypairs": [{"keypair": {"name": "used"}}, {"keypair": {"name": "stale"}}]}`)
	fc.Handle("GET", toolstest.VolumePrefix+"/volumes/detail", http.StatusOK, `{"volumes": [
	 {"id": "v1", "name": "h-orph-vol", "status": "available", "size": 1, "attachments": [], "created_at": "2026-12-01T12:00:00.000000"},
	 {"id": "v2", "name": "root", "status": "in-use", "size": 1, "attachments": [{"server_id": "s1"}], "created_at": "2026-12-01T12:00:00.000000"}]}`)
	fc.Handle("GET", toolstest.VolumePrefix+"/snapshots", http.StatusOK, `{"snapshots": [
	 {"id": "sn1", "name": "old-snap", "volume_id": "v1", "status": "available", "size": 1, "created_at": "2026-09-01T12:00:00.000000"}]}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/floatingips", http.StatusOK, `{"floatingips": [
	 {"id": "f1", "floating_ip_address": "203.0.113.9", "port_id": null, "description": "h-orph-fip", "created_at": "2026-12-03T11:00:00Z"},
	 {"id": "f2", "floating_ip_address": "203.0.113.10", "port_id": "p-web", "created_at": "2026-12-03T11:00:00Z"}]}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/ports", http.StatusOK, `{"ports": [
	 {"id": "p-web", "name": "", "device_owner": "compute:nova", "device_id": "s1", "security_groups": ["g-web"]},
	 {"id": "p-if", "device_owner": "network:router_interface", "device_id": "r-busy", "security_groups": []}]}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/routers", http.StatusOK, `{"routers": [
	 {"id": "r-lonely", "name": "lonely", "external_gateway_info": {"network_id": "pub"}, "created_at": "2026-11-03T12:00:00Z"},
	 {"id": "r-busy", "name": "busy", "external_gateway_info": {"network_id": "pub"}},
	 {"id": "r-int", "name": "internal", "external_gateway_info": null}]}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/security-groups", http.StatusOK, `{"security_groups": [
	 {"id": "g-default", "name": "default", "security_group_rules": []},
	 {"id": "g-web", "name": "web", "security_group_rules": [{"remote_group_id": "g-old"}]},
	 {"id": "g-old", "name": "old", "security_group_rules": [], "created_at": "2026-06-06T12:00:00Z"}]}`)
	fc.Handle("GET", toolstest.ImagePrefix+"/images", http.StatusOK, `{"images": [
	 {"id": "img-old", "name": "golden", "owner": "p1", "status": "active", "visibility": "private", "protected": false, "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"},
	 {"id": "img-used", "name": "base", "owner": "p1", "status": "active", "visibility": "private", "protected": false, "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"},
	 {"id": "cirros", "name": "cirros", "owner": "admin", "status": "active", "visibility": "public", "protected": false, "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}]}`)
	return fc
}

func TestList(t *testing.T) {
	fc := cloud(t)
	res, err := toolstest.Run(t, fc.Env(), Tools(), "orphans", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	r := tools.RowsOf(res.List)
	r.Each(func(row []any) {
		got = append(got, strings.Join([]string{r.Str(row, "Kind"), r.Str(row, "ID"), r.Str(row, "Name"), r.Str(row, "Age"), r.Str(row, "Why")}, " | "))
	})
	want := []string{
		"volume | v1 | h-orph-vol | 2d | unattached volume (1 GiB)",
		"floating-ip | f1 | 203.0.113.9 | 1h | floating IP bound to no port",
		"security-group | g-old | old | 180d | security group no port uses",
		"keypair | stale | stale | - | key pair no server of this project uses",
		"router | r-lonely | lonely | 30d | router with a gateway and no interface",
		"volume.snapshot | sn1 | old-snap | 93d | snapshot 93 days old",
		"image | img-old | golden | 701d | image 701 days old that no server boots from",
		"server | s2 | old-vm | 40d | server SHUTOFF, unchanged for 40 days",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(res.Message, "8 orphan(s)") {
		t.Errorf("message %q", res.Message)
	}
}

func TestListKindAndThreshold(t *testing.T) {
	fc := cloud(t)
	res, err := toolstest.Run(t, fc.Env(), Tools(), "orphans", map[string]any{"kind": []string{"volume.snapshot", "server"}, "older_than": "100d", "stopped_for": "2w"})
	if err != nil {
		t.Fatal(err)
	}
	r := tools.RowsOf(res.List)
	var got []string
	r.Each(func(row []any) { got = append(got, r.Str(row, "ID")) })
	if diff := cmp.Diff([]string{"s2"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestListNotes: a service the catalog lacks is left out with a note,
// not an error.
func TestListNotes(t *testing.T) {
	fc := toolstest.New(t)
	delete(fc.Caps.Services, "volumev3")
	delete(fc.Caps.Services, "image")
	delete(fc.Caps.Services, "compute")
	fc.Handle("GET", toolstest.IdentityPrefix+"/auth/tokens", http.StatusOK, `{"token": {"expires_at": "2030-01-01T12:00:00Z",
	 "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}}, "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}}}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/floatingips", http.StatusOK, `{"floatingips": []}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/ports", http.StatusOK, `{"ports": []}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/routers", http.StatusOK, `{"routers": []}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/security-groups", http.StatusForbidden, `{"NeutronError": {"message": "no"}}`)
	res, err := toolstest.Run(t, fc.Env(), Tools(), "orphans", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"no orphans found", "note: images not checked: this cloud has no image service", "note: security groups not checked: list security groups:", "note: volumes not checked: this cloud has no volumev3 service"} {
		if !strings.Contains(res.Message, want) {
			t.Errorf("message lacks %q:\n%s", want, res.Message)
		}
	}
}

func expand(t *testing.T, fc *toolstest.Cloud, args map[string]any) ([]tools.Step, error) {
	t.Helper()
	tl := toolstest.Tool(t, Tools(), "orphans.clean")
	raw, _ := json.Marshal(args)
	reg := toolstest.Registry(t, []tools.Tool{tl})
	if err := reg.Validate("orphans.clean", raw); err != nil {
		t.Fatalf("schema refuses %s: %v", raw, err)
	}
	return tl.Expand(t.Context(), fc.Env(), raw)
}

func TestCleanPlan(t *testing.T) {
	tests := []struct {
		name string
		args map[string]any
		want []string
	}{
		{
			name: "by ID and name, in delete order; the router's gateway first",
			args: map[string]any{"ids": []string{"r-lonely", "h-orph-vol", "203.0.113.9", "old"}},
			want: []string{
				`volume-1 volume.delete {"volume":"v1"}`,
				`floating-ip-1 floating-ip.delete {"floating_ip":"f1"}`,
				`router-1-gw router.unset {"external_gateway":true,"router":"r-lonely"}`,
				`router-1 router.delete {"router":"r-lonely"}`,
				`security-group-1 security-group.delete {"group":"g-old"}`,
			},
		},
		{
			name: "a volume with its only snapshot goes with it (cascade)",
			args: map[string]any{"kind": []string{"volume", "volume.snapshot"}, "all": true},
			want: []string{`volume-1 volume.delete {"cascade":true,"volume":"v1"}`},
		},
		{
			name: "the snapshot alone",
			args: map[string]any{"ids": []string{"sn1"}},
			want: []string{`volume-snapshot-1 volume.snapshot.delete {"snapshot":"sn1"}`},
		},
		{
			name: "all of a kind",
			args: map[string]any{"kind": []string{"keypair", "server", "image"}, "all": true},
			want: []string{
				`server-1 server.delete {"server":"s2"}`,
				`keypair-1 keypair.delete {"keypair":"stale"}`,
				`image-1 image.delete {"image":"img-old"}`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := cloud(t)
			steps, err := expand(t, fc, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range steps {
				got = append(got, s.ID+" "+s.Tool+" "+string(s.Args))
				if !strings.HasPrefix(s.Why, "orphan: ") && !strings.HasPrefix(s.Why, "release the external address") {
					t.Errorf("step %s: why %q", s.ID, s.Why)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCleanRefusals(t *testing.T) {
	fc := cloud(t)
	// The fake cloud's stubs must each be called: one good expansion.
	if _, err := expand(t, fc, map[string]any{"all": true}); err != nil {
		t.Fatal(err)
	}
	for _, args := range []map[string]any{{}, {"kind": []string{"volume"}}} {
		if _, err := expand(t, fc, args); !errors.As(err, new(*NothingSelectedError)) {
			t.Errorf("%v: nothing selected: %v", args, err)
		}
	}
	_, err := expand(t, fc, map[string]any{"ids": []string{"v2", "nope"}})
	if err == nil || !strings.Contains(err.Error(), "v2, nope: not among the orphans now") {
		t.Errorf("in-use volume: %v", err)
	}
	_, err = expand(t, fc, map[string]any{"ids": []string{"h-orph-vol"}, "kind": []string{"port"}})
	if err == nil || !strings.Contains(err.Error(), "h-orph-vol: not among the orphans now") {
		t.Errorf("wrong kind: %v", err)
	}
}

func TestSelectAmbiguous(t *testing.T) {
	found := []reports.Orphan{{Kind: "volume", ID: "a", Name: "x"}, {Kind: "port", ID: "b", Name: "x"}}
	if _, err := Select(found, []string{"x"}); err == nil || !strings.Contains(err.Error(), `"x" names 2 orphans (volume a, port b): give the ID`) {
		t.Errorf("ambiguous: %v", err)
	}
	got, err := Select(found, []string{"b", "a", "b"})
	if err != nil || len(got) != 2 || got[0].ID != "a" {
		t.Errorf("by ID: %v %v", got, err)
	}
}

// TestSchemasAgreeWithKernel: the kind enum of both schemas is the
// kernel's list of kinds.
func TestSchemasAgreeWithKernel(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	for _, name := range []string{"orphans", "orphans.clean"} {
		tl, _ := reg.Lookup(name)
		p, ok := tl.Spec.Prop("kind")
		if !ok {
			t.Fatalf("%s has no kind", name)
		}
		got := append([]string(nil), p.Enum...)
		if diff := cmp.Diff(append([]string(nil), reports.OrphanKinds...), got, cmpSorted); diff != "" {
			t.Errorf("%s kinds (-kernel +schema):\n%s", name, diff)
		}
	}
}

var cmpSorted = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})
