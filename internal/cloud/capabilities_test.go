package cloud

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSupports(t *testing.T) {
	caps := &Capabilities{Services: map[string]Service{
		"compute":  {Type: "compute", MinMicroversion: "2.1", MaxMicroversion: "2.79"},
		"volumev3": {Type: "volumev3", MaxMicroversion: "3.60"},
		"network":  {Type: "network"},
	}}
	tests := []struct {
		name, service, microversion string
		want                        bool
	}{
		{"inside the range", "compute", "2.73", true},
		{"the maximum itself", "compute", "2.79", true},
		{"the minimum itself", "compute", "2.1", true},
		{"compared as numbers, not text", "compute", "2.9", true},
		{"past the maximum", "compute", "2.80", false},
		{"past the maximum by text order too", "compute", "2.100", false},
		{"below the minimum", "compute", "1.9", false},
		{"no lower end", "volumev3", "3.0", true},
		{"no lower end, past the maximum", "volumev3", "3.61", false},
		{"a service without microversions supports none", "network", "2.1", false},
		{"a service without microversions is still there", "network", "", true},
		{"empty asks for the service alone", "compute", "", true},
		{"a service missing from the catalog", "image", "", false},
		{"a service missing from the catalog, with a version", "image", "2.1", false},
		{"a malformed microversion", "compute", "latest", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := caps.Supports(tt.service, tt.microversion); got != tt.want {
				t.Errorf("Supports(%q, %q) = %t, want %t", tt.service, tt.microversion, got, tt.want)
			}
		})
	}
	t.Run("no capabilities at all", func(t *testing.T) {
		var none *Capabilities
		if none.Supports("compute", "") {
			t.Error("nil capabilities support compute")
		}
	})
}

func TestMicroversionLess(t *testing.T) {
	got := map[[2]string]bool{}
	want := map[[2]string]bool{}
	for _, c := range []struct {
		a, b string
		less bool
	}{
		{"2.9", "2.10", true},
		{"2.10", "2.9", false},
		{"2.79", "2.79", false},
		{"2.99", "3.0", true},
		{"2.1", "latest", true},
		{"latest", "2.1", false},
	} {
		got[[2]string{c.a, c.b}] = MicroversionLess(c.a, c.b)
		want[[2]string{c.a, c.b}] = c.less
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("MicroversionLess (-want +got):\n%s", d)
	}
}

func TestHasAnyOfAlternatives(t *testing.T) {
	caps := &Capabilities{Services: map[string]Service{"metering": {Type: "metering"}, "network": {Type: "network"}}}
	tests := []struct {
		service string
		want    bool
	}{
		{"network", true},
		{"metric", false},
		{"metric|metering|monitoring", true},
		{"metric|monitoring", false},
	}
	for _, tt := range tests {
		if got := caps.Has(tt.service); got != tt.want {
			t.Errorf("Has(%q) = %v, want %v", tt.service, got, tt.want)
		}
	}
	if (*Capabilities)(nil).Has("network") {
		t.Error("a nil catalog has nothing")
	}
}
