package servers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const (
	project        = "p1"
	launchServerID = "9e5476bd-a4ec-4653-93d6-72c93aa682ba"
	cirrosID       = "a1b2c3d4-0000-4000-8000-000000000001"
	bigID          = "a1b2c3d4-0000-4000-8000-000000000002"
	netID          = "0b3f5e1c-1111-4000-8000-000000000001"
	net2ID         = "0b3f5e1c-1111-4000-8000-000000000002"
	extID          = "0b3f5e1c-1111-4000-8000-000000000003"
	portID         = "5c1d2e3f-2222-4000-8000-000000000001"
	volID          = "7d8e9f00-3333-4000-8000-000000000001"
	sgID           = "6a7b8c9d-4444-4000-8000-000000000001"
	snapID         = "b9c8d7e6-5555-4000-8000-000000000001"

	tokenBody = `{"token": {"expires_at": "2030-01-01T12:00:00Z", "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}},
	 "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}, "roles": []}}`
)

// flavorJSON is a flavor as Nova lists it.
type flavorJSON struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	RAM   int    `json:"ram"`
	VCPUs int    `json:"vcpus"`
	Disk  int    `json:"disk"`
}

var (
	tiny  = flavorJSON{ID: "1", Name: "m1.tiny", RAM: 512, VCPUs: 1, Disk: 1}
	small = flavorJSON{ID: "2", Name: "m1.small", RAM: 2048, VCPUs: 1, Disk: 20}
	large = flavorJSON{ID: "4", Name: "m1.large", RAM: 8192, VCPUs: 4, Disk: 80}
)

func imageJSON(id, name, status string, minRAM, minDisk int, size int64) string {
	return fmt.Sprintf(`{"id": %q, "name": %q, "status": %q, "min_ram": %d, "min_disk": %d, "size": %d, "visibility": "public"}`,
		id, name, status, minRAM, minDisk, size)
}

var (
	cirros = imageJSON(cirrosID, "cirros", "active", 0, 0, 21430272)
	big    = imageJSON(bigID, "big", "active", 4096, 40, 12<<30)
)

func stubToken(fc *toolstest.Cloud) {
	fc.Handle("GET", toolstest.IdentityPrefix+"/auth/tokens", http.StatusOK, tokenBody)
}

// stubFlavor answers a flavor lookup: by ID with a GET, by name with the
// list alone (flavors.Resolve does not GET a name).
func stubFlavor(fc *toolstest.Cloud, nameOrID string) {
	for _, f := range []flavorJSON{tiny, small, large} {
		if f.ID == nameOrID {
			b, _ := json.Marshal(map[string]any{"flavor": f})
			fc.Handle("GET", toolstest.ComputePrefix+"/flavors/"+f.ID, http.StatusOK, string(b))
			return
		}
	}
	b, _ := json.Marshal(map[string]any{"flavors": []flavorJSON{tiny, small, large}})
	fc.Handle("GET", toolstest.ComputePrefix+"/flavors/detail", http.StatusOK, string(b))
}

// stubImage answers an image lookup by ID.
func stubImage(fc *toolstest.Cloud, id, body string) {
	fc.Handle("GET", toolstest.ImagePrefix+"/images/"+id, http.StatusOK, body)
}

// stubImageByName answers Glance's exact-name filter.
func stubImageByName(fc *toolstest.Cloud, bodies ...string) {
	fc.HandleFunc("GET", toolstest.ImagePrefix+"/images", func(w http.ResponseWriter, r *http.Request) {
		var out []string
		for _, b := range bodies {
			if strings.Contains(b, fmt.Sprintf(`"name": %q`, r.URL.Query().Get("name"))) {
				out = append(out, b)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"images": [%s]}`, strings.Join(out, ","))
	})
}

// stubNetwork answers a network lookup by ID.
func stubNetwork(fc *toolstest.Cloud, id, body string) {
	fc.Handle("GET", toolstest.NetworkPrefix+"/networks/"+id, http.StatusOK, `{"network": `+body+`}`)
}

func netJSON(id, name, projectID string, external, shared bool) string {
	return fmt.Sprintf(`{"id": %q, "name": %q, "project_id": %q, "router:external": %t, "shared": %t, "status": "ACTIVE"}`,
		id, name, projectID, external, shared)
}

// stubNetworks answers the network list, filtered by name when asked.
func stubNetworks(fc *toolstest.Cloud, nets ...string) {
	fc.HandleFunc("GET", toolstest.NetworkPrefix+"/networks", func(w http.ResponseWriter, r *http.Request) {
		var out []string
		name := r.URL.Query().Get("name")
		for _, n := range nets {
			if name == "" || strings.Contains(n, fmt.Sprintf(`"name": %q`, name)) {
				out = append(out, n)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"networks": [%s]}`, strings.Join(out, ","))
	})
}

// stubComputeQuota answers os-quota-sets/{project}/detail.
func stubComputeQuota(fc *toolstest.Cloud, instances, cores, ram [2]int) {
	fc.Handle("GET", toolstest.ComputePrefix+"/os-quota-sets/"+project+"/detail", http.StatusOK, fmt.Sprintf(`{"quota_set": {"id": "p1",
	 "instances": {"in_use": %d, "limit": %d, "reserved": 0},
	 "cores": {"in_use": %d, "limit": %d, "reserved": 0},
	 "ram": {"in_use": %d, "limit": %d, "reserved": 0},
	 "key_pairs": {"in_use": 0, "limit": 100, "reserved": 0}}}`, instances[0], instances[1], cores[0], cores[1], ram[0], ram[1]))
}

func stubPortQuota(fc *toolstest.Cloud, used, limit int) {
	fc.Handle("GET", toolstest.NetworkPrefix+"/quotas/"+project+"/details.json", http.StatusOK, fmt.Sprintf(`{"quota": {
	 "port": {"used": %d, "limit": %d, "reserved": 0},
	 "network": {"used": 1, "limit": 100, "reserved": 0}}}`, used, limit))
}

// roomyQuota stubs quotas with plenty of room.
func roomyQuota(fc *toolstest.Cloud) {
	stubComputeQuota(fc, [2]int{1, 10}, [2]int{1, 20}, [2]int{512, 51200})
	stubPortQuota(fc, 3, 500)
}

// serverBody is a server at microversion 2.79 with an embedded flavor.
func serverBody(status, task string, locked bool, fl flavorJSON, imageID string) string {
	taskJSON := "null"
	if task != "" {
		taskJSON = fmt.Sprintf("%q", task)
	}
	image := `""`
	if imageID != "" {
		image = fmt.Sprintf(`{"id": %q}`, imageID)
	}
	return fmt.Sprintf(`{"server": {"id": %q, "name": "web-1", "status": %q, "OS-EXT-STS:task_state": %s, "locked": %t, "locked_reason": null,
	 "flavor": {"original_name": %q, "vcpus": %d, "ram": %d, "disk": %d, "ephemeral": 0, "swap": 0},
	 "image": %s}}`, launchServerID, status, taskJSON, locked, fl.Name, fl.VCPUs, fl.RAM, fl.Disk, image)
}

func stubServer(fc *toolstest.Cloud, body string) {
	fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+launchServerID, http.StatusOK, body)
}

// check runs a tool's preflight under the read-only guard.
func check(t *testing.T, fc *toolstest.Cloud, name string, args any) *tools.Check {
	t.Helper()
	chk, err := toolstest.Tool(t, Tools(), name).Check(cloud.WithReadOnly(t.Context()), fc.Env(), tools.JSON(args))
	if err != nil {
		t.Fatal(err)
	}
	return chk
}

func blocks(chk *tools.Check) []string {
	var out []string
	for _, f := range chk.Findings {
		if f.Level == tools.Block {
			out = append(out, f.Text)
		}
	}
	return out
}

// wantBlock fails unless exactly the wanted block (a substring) is there,
// or none when want is "".
func wantBlock(t *testing.T, chk *tools.Check, want string) {
	t.Helper()
	got := blocks(chk)
	switch {
	case want == "" && len(got) > 0:
		t.Errorf("blocked: %q", got)
	case want != "" && !strings.Contains(strings.Join(got, "\n"), want):
		t.Errorf("blocks %q, want one containing %q", got, want)
	}
}

// jsonOf marshals v for comparisons of request bodies as the wire sees them.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
