package servers

import (
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestLaunchSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	tests := []struct {
		tool, args string
		wantErr    bool
	}{
		{"server.create", `{"name": "web-1", "flavor": "m1.small", "image": "cirros"}`, false},
		{"server.create", `{"name": "web-1", "flavor": "m1.small", "image": "cirros", "volume_size": 10, "delete_on_termination": true, "count": 3,
			"networks": ["private"], "security_groups": ["default"], "key_name": "k", "metadata": {"role": "web"}, "user_data_file": "ci.yaml"}`, false},
		{"server.create", `{"name": "web-1", "flavor": "m1.small", "boot_volume": "vol", "delete_on_termination": true}`, false},
		{"server.create", `{"name": "web-1", "flavor": "m1.small"}`, true},                                                   // neither image nor volume
		{"server.create", `{"name": "web-1", "flavor": "m1.small", "image": "cirros", "boot_volume": "vol"}`, true},          // both
		{"server.create", `{"name": "web-1", "flavor": "m1.small", "boot_volume": "vol", "volume_size": 10}`, true},          // size without image
		{"server.create", `{"name": "web-1", "flavor": "m1.small", "image": "cirros", "delete_on_termination": true}`, true}, // no volume to delete
		{"server.create", `{"name": "web-1", "flavor": "m1.small", "image": "cirros", "count": 11}`, true},
		{"server.create", `{"name": "web-1", "image": "cirros"}`, true},
		{"server.resize", `{"server": "web-1", "flavor": "m1.large"}`, false},
		{"server.resize", `{"server": "web-1"}`, true},
		{"server.resize.confirm", `{"server": "web-1"}`, false},
		{"server.resize.revert", `{"server": "web-1"}`, false},
		{"server.rebuild", `{"server": "web-1"}`, false},
		{"server.rebuild", `{"server": "web-1", "image": "cirros", "name": "web-2"}`, false},
		{"server.snapshot", `{"server": "web-1", "name": "web-1-snap", "metadata": {"k": "v"}}`, false},
		{"server.snapshot", `{"server": "web-1"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.tool+" "+tt.args, func(t *testing.T) {
			err := reg.Validate(tt.tool, []byte(tt.args))
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error %t", err, tt.wantErr)
			}
		})
	}
	create, _ := reg.Lookup("server.create")
	if got := create.Spec.Usage(create.Slash()); !strings.HasPrefix(got, "/server create NAME ") || !strings.Contains(got, " --flavor FLAVOR ") {
		t.Errorf("usage = %q", got)
	}
}
