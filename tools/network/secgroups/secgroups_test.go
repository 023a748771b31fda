package secgroups

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const rulesJSON = `[
 {"id": "r-egress4", "security_group_id": "sg-1", "direction": "egress", "ethertype": "IPv4", "protocol": null, "port_range_min": null, "port_range_max": null, "remote_ip_prefix": null, "remote_group_id": null},
 {"id": "r-ssh", "security_group_id": "sg-1", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0", "remote_group_id": null, "description": "ssh"},
 {"id": "r-web", "security_group_id": "sg-1", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 8000, "port_range_max": 8080, "remote_ip_prefix": "10.0.0.0/8", "remote_group_id": null},
 {"id": "r-ping", "security_group_id": "sg-1", "direction": "ingress", "ethertype": "IPv4", "protocol": "icmp", "port_range_min": 8, "port_range_max": 0, "remote_ip_prefix": null, "remote_group_id": null},
 {"id": "r-self", "security_group_id": "sg-1", "direction": "ingress", "ethertype": "IPv6", "protocol": null, "port_range_min": null, "port_range_max": null, "remote_ip_prefix": null, "remote_group_id": "sg-1"}
]`

func TestList(t *testing.T) {
	fc := toolstest.New(t)
	fc.HandleFunc("GET", toolstest.NetworkPrefix+"/security-groups", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Encode(); got != "project_id=demo" {
			t.Errorf("query = %q", got)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"security_groups": [{"id": "sg-1", "name": "default", "description": "Default security group", "project_id": "demo", "tags": []}]}`))
	})
	env := fc.Env()
	res, err := toolstest.Run(t, env, Tools(), "security-group.list", ListArgs{Project: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]any{{"sg-1", "default", "Default security group", "demo", []string{}}}, res.List.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"default"}, env.Names.Of("security-group")); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

func TestShow(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantRules []string
		wantErr   string
	}{
		{
			name: "rules read as sentences",
			body: `{"security_groups": [{"id": "sg-1", "name": "default", "security_group_rules": ` + rulesJSON + `}]}`,
			wantRules: []string{
				"ingress IPv4 icmp type 8 code 0 from 0.0.0.0/0",
				"ingress IPv4 tcp 22 from 0.0.0.0/0 (ssh)",
				"ingress IPv4 tcp 8000-8080 from 10.0.0.0/8",
				"ingress IPv6 any from group sg-1",
				"egress IPv4 any to 0.0.0.0/0",
			},
		},
		{
			name:    "default in two projects",
			body:    `{"security_groups": [{"id": "sg-1", "name": "default"}, {"id": "sg-2", "name": "default"}]}`,
			wantErr: "2 security groups are named \"default\"; use an ID:\n  sg-1  default\n  sg-2  default",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.NetworkPrefix+"/security-groups", http.StatusOK, tt.body)
			res, err := toolstest.Run(t, fc.Env(), Tools(), "security-group.show", ShowArgs{Group: "default"})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantRules, res.Record.Get("rules")); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRuleList(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.NetworkPrefix+"/security-groups", http.StatusOK, `{"security_groups": [{"id": "sg-1", "name": "web"}]}`)
	fc.HandleFunc("GET", toolstest.NetworkPrefix+"/security-group-rules", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Encode(); got != "direction=ingress&security_group_id=sg-1" {
			t.Errorf("query = %q", got)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"security_group_rules": ` + rulesJSON + `}`))
	})
	res, err := toolstest.Run(t, fc.Env(), Tools(), "security-group.rule.list", RuleListArgs{Group: "web", Direction: "ingress"})
	if err != nil {
		t.Fatal(err)
	}
	var got [][]any
	for _, row := range res.List.Rows {
		got = append(got, row[:7])
	}
	want := [][]any{
		{"r-ping", "icmp", "IPv4", "0.0.0.0/0", "8:0", "ingress", nil},
		{"r-ssh", "tcp", "IPv4", "0.0.0.0/0", "22:22", "ingress", nil},
		{"r-web", "tcp", "IPv4", "10.0.0.0/8", "8000:8080", "ingress", nil},
		{"r-self", nil, "IPv6", "", "", "ingress", "sg-1"},
		{"r-egress4", nil, "IPv4", "0.0.0.0/0", "", "egress", nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
