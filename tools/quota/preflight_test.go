package quota

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestPreflight(t *testing.T) {
	fullKeys := func(u tools.QuotaUse) string { return fmt.Sprintf("key pairs full: %d of %d", u.InUse, u.Limit) }
	tests := []struct {
		name      string
		project   string
		drop      string // a service missing from the catalog
		stub      func(fc *toolstest.Cloud)
		needs     []Need
		wantQuota []tools.QuotaUse
		wantBlock []string
	}{
		{
			name: "room left: the uses, no finding", project: "p1",
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.ComputePrefix+"/os-quota-sets/p1/detail", http.StatusOK, novaBody)
			},
			needs: []Need{{Service: "compute", Resource: "instances", Delta: 1}, {Service: "compute", Resource: "cores", Delta: 2}},
			wantQuota: []tools.QuotaUse{
				{Service: "compute", Resource: "instances", InUse: 1, Limit: 10, Delta: 1},
				{Service: "compute", Resource: "cores", InUse: 2, Limit: 20, Delta: 2},
			},
		},
		{
			name: "overflow, in the generic sentence with units; one read per service", project: "p1",
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.ComputePrefix+"/os-quota-sets/p1/detail", http.StatusOK, novaBody)
			},
			needs:     []Need{{Service: "compute", Resource: "ram", Delta: 51000}, {Service: "compute", Resource: "cores", Delta: 19}},
			wantQuota: []tools.QuotaUse{{Service: "compute", Resource: "ram", InUse: 1024, Limit: 51200, Delta: 51000}, {Service: "compute", Resource: "cores", InUse: 2, Limit: 20, Delta: 19}},
			wantBlock: []string{
				"ram quota exceeded: 1024 MB in use + 51000 MB needed > limit 51200 MB (50176 MB free)",
				"cores quota exceeded: 2 in use + 19 needed > limit 20 (18 free)",
			},
		},
		{
			name: "reserved counts as used; volumev3 is labelled volume", project: "p1",
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.VolumePrefix+"/os-quota-sets/p1", http.StatusOK, cinderBody)
			},
			needs:     []Need{{Service: "volumev3", Resource: "volumes", Delta: 6}},
			wantQuota: []tools.QuotaUse{{Service: "volume", Resource: "volumes", InUse: 4, Limit: 10, Delta: 6}},
		},
		{
			name: "unlimited and freeing never block; unreported quotas are skipped", project: "p1",
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/quotas/p1/details.json", http.StatusOK, neutronBody)
			},
			needs: []Need{{Service: "network", Resource: "rbac_policy", Delta: 1000}, {Service: "network", Resource: "network", Delta: -1}, {Service: "network", Resource: "port", Delta: 1}},
			wantQuota: []tools.QuotaUse{
				{Service: "network", Resource: "rbac_policy", InUse: 0, Limit: -1, Delta: 1000},
				{Service: "network", Resource: "network", InUse: 1, Limit: 100, Delta: -1},
			},
		},
		{
			name: "a service missing from the catalog is not asked", project: "p1", drop: "volumev3",
			needs: []Need{{Service: "volumev3", Resource: "volumes", Delta: 1}},
		},
		{
			name: "the current project comes from the token",
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.IdentityPrefix+"/auth/tokens", http.StatusOK, tokenBody)
				fc.Handle("GET", toolstest.ComputePrefix+"/os-quota-sets/p1/detail", http.StatusOK, novaBody)
			},
			needs:     []Need{{Service: "compute", Resource: "instances", Delta: 10}},
			wantQuota: []tools.QuotaUse{{Service: "compute", Resource: "instances", InUse: 1, Limit: 10, Delta: 10}},
			wantBlock: []string{"instances quota exceeded: 1 in use + 10 needed > limit 10 (9 free)"},
		},
		{
			name: "a counted quota with its own sentence asks no report",
			needs: []Need{{Service: "compute", Resource: "key_pairs", Delta: 1, Full: fullKeys,
				Count: func(context.Context) (int, int, error) { return 3, 3, nil }}},
			wantQuota: []tools.QuotaUse{{Service: "compute", Resource: "key_pairs", InUse: 3, Limit: 3, Delta: 1}},
			wantBlock: []string{"key pairs full: 3 of 3"},
		},
		{
			name: "Glance's usage needs no project",
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.ImagePrefix+"/info/usage", http.StatusOK, `{"usage": {"image_count_total": {"limit": 5, "usage": 5}}}`)
			},
			needs:     []Need{{Service: "image", Resource: "image_count_total", Delta: 1}, {Service: "image", Resource: "image_size_total", Delta: 1}},
			wantQuota: []tools.QuotaUse{{Service: "image", Resource: "image_count_total", InUse: 5, Limit: 5, Delta: 1}},
			wantBlock: []string{"image_count_total quota exceeded: 5 in use + 1 needed > limit 5 (0 free)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			if tt.drop != "" {
				delete(fc.Caps.Services, tt.drop)
			}
			if tt.stub != nil {
				tt.stub(fc)
			}
			chk := &tools.Check{}
			if err := Preflight(t.Context(), fc.Env(), chk, tt.project, tt.needs...); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantQuota, chk.Quota); diff != "" {
				t.Errorf("quota (-want +got):\n%s", diff)
			}
			var blocks []string
			for _, f := range chk.Findings {
				if f.Level == tools.Block {
					blocks = append(blocks, f.Text)
				}
			}
			if diff := cmp.Diff(tt.wantBlock, blocks); diff != "" {
				t.Errorf("blocks (-want +got):\n%s", diff)
			}
			if got := fc.Calls("GET", toolstest.ComputePrefix+"/os-quota-sets/p1/detail"); got > 1 {
				t.Errorf("compute usage read %d times, want at most once", got)
			}
		})
	}
}

func TestPreflightError(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.NetworkPrefix+"/quotas/p1/details.json", http.StatusForbidden, `{"NeutronError": {"message": "forbidden"}}`)
	err := Preflight(t.Context(), fc.Env(), &tools.Check{}, "p1", Need{Service: "network", Resource: "port", Delta: 1})
	if err == nil {
		t.Fatal("no error")
	}
	if want := "get network quotas of project p1: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want prefix %q", err, want)
	}
}
