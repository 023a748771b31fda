package network

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestKeyValues(t *testing.T) {
	tests := []struct {
		spec    string
		want    map[string]string
		wantErr string
	}{
		{spec: "subnet=s1,ip-address=10.0.0.5", want: map[string]string{"subnet": "s1", "ip-address": "10.0.0.5"}},
		{spec: " ip-address = 10.0.0.5 ", want: map[string]string{"ip-address": "10.0.0.5"}},
		{spec: "10.0.0.5", wantErr: `--fixed-ip takes subnet=SUBNET,ip-address=IP_ADDRESS (comma-separated), not "10.0.0.5"`},
		{spec: "subnet=", wantErr: `--fixed-ip takes subnet=SUBNET,ip-address=IP_ADDRESS (comma-separated), not "subnet="`},
		{spec: "net=n1", wantErr: `--fixed-ip takes subnet=SUBNET,ip-address=IP_ADDRESS (comma-separated), not "net=n1"`},
		{spec: "subnet=a,subnet=b", wantErr: `--fixed-ip gives subnet twice in "subnet=a,subnet=b"`},
	}
	for _, tt := range tests {
		got, err := KeyValues("--fixed-ip", tt.spec, "subnet", "ip-address")
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%q: err = %v, want %q", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.spec, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.spec, diff)
		}
	}
}
