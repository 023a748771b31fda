package catalog

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestCatalog(t *testing.T) {
	fc := toolstest.New(t)
	delete(fc.Caps.Services, "image")
	res, err := toolstest.Tool(t, Tools(), "catalog").Run(t.Context(), fc.Env(), nil)
	if err != nil {
		t.Fatal(err)
	}
	u := fc.Server.URL
	want := [][]any{
		{"nova", "compute", u + toolstest.ComputePrefix + "/", "v2.1", "2.1–2.93", "RegionOne"},
		{"keystone", "identity", u + toolstest.IdentityPrefix + "/", "v3", "", "RegionOne"},
		{"neutron", "network", u + "/network/", "v2.0", "", "RegionOne"},
		{"cinderv3", "volumev3", u + toolstest.VolumePrefix + "/", "v3", "3.0–3.70", "RegionOne"},
	}
	if diff := cmp.Diff(want, res.List.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestMicroversions(t *testing.T) {
	tests := []struct{ min, max, want string }{
		{"", "", ""},
		{"2.1", "2.93", "2.1–2.93"},
		{"", "3.70", "–3.70"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Microversions(tt.min, tt.max); got != tt.want {
				t.Errorf("Microversions(%q, %q) = %q, want %q", tt.min, tt.max, got, tt.want)
			}
		})
	}
}
