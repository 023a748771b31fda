package cli

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/diagnose"
	"github.com/kriscelmer/os-tui/internal/vpc"
)

func TestParseVPCCreate(t *testing.T) {
	tests := []struct {
		words   string
		want    vpc.Options
		wantErr string
	}{
		{"demo --cidr 10.0.0.0/24", vpc.Options{Name: "demo", CIDR: "10.0.0.0/24", DNS: []string{}}, ""},
		{"--cidr=10.0.0.0/24 demo --external public --dns 1.1.1.1,9.9.9.9 --ssh-from 203.0.113.0/24",
			vpc.Options{Name: "demo", CIDR: "10.0.0.0/24", External: "public", DNS: []string{"1.1.1.1", "9.9.9.9"}, SSHFrom: "203.0.113.0/24"}, ""},
		// The openstack CLI's names for the same things.
		{"demo --subnet-range 10.0.0.0/24 --external-gateway public --dns-nameserver 1.1.1.1 --dns-nameserver 8.8.8.8 --no-ssh",
			vpc.Options{Name: "demo", CIDR: "10.0.0.0/24", External: "public", DNS: []string{"1.1.1.1", "8.8.8.8"}}, ""},
		{"demo --cidr 10.0.0.0/24 --no-ssh --ssh-from 10.0.0.0/8", vpc.Options{}, "--no-ssh and --ssh-from say opposite things"},
		{"demo other --cidr 10.0.0.0/24", vpc.Options{}, `one VPC name, please (got "demo" and "other")`},
		{"demo --cidr", vpc.Options{}, "--cidr needs a value"},
		{"demo --cidr 10.0.0.0/24 --colour red", vpc.Options{}, "unknown flag --colour"},
		{"demo", vpc.Options{}, "--cidr is required"},
	}
	for _, tt := range tests {
		got, err := parseVPCCreate(strings.Fields(tt.words))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseVPCCreate(%q) = %v, want %q", tt.words, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseVPCCreate(%q): %v", tt.words, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("parseVPCCreate(%q) (-want +got):\n%s", tt.words, diff)
		}
	}
}

func TestVPCGoal(t *testing.T) {
	o := vpc.Options{Name: "my vpc", CIDR: "10.0.0.0/24", DNS: []string{"1.1.1.1"}, SSHFrom: "203.0.113.0/24"}
	want := "/vpc create 'my vpc' --cidr 10.0.0.0/24 --external public --dns 1.1.1.1 --ssh-from 203.0.113.0/24"
	if got := vpcGoal(o, "public"); got != want {
		t.Errorf("vpcGoal = %q, want %q", got, want)
	}
}

func TestRefusal(t *testing.T) {
	if got := refusal("/vpc create x", []string{"one"}).Error(); got != "/vpc create x: one" {
		t.Errorf("one problem: %q", got)
	}
	got := refusal("/vpc create x", []string{"one", "two\x1b[2J"}).Error()
	if got != "/vpc create x cannot run:\n  - one\n  - two\\x1b[2J" {
		t.Errorf("two problems: %q", got)
	}
}

func TestParseDiagnose(t *testing.T) {
	tests := []struct {
		words   string
		want    diagnoseArgs
		wantErr string
	}{
		{"web-1", diagnoseArgs{q: diagnose.Query{Server: "web-1", Protocol: "tcp", Port: 22}, format: "text"}, ""},
		{"web-1 --port 443 --from 203.0.113.0/24 -f json",
			diagnoseArgs{q: diagnose.Query{Server: "web-1", Protocol: "tcp", Port: 443, From: "203.0.113.0/24"}, format: "json"}, ""},
		{"--protocol=icmp web-1 -fyaml", diagnoseArgs{q: diagnose.Query{Server: "web-1", Protocol: "icmp"}, format: "yaml"}, ""},
		{"web-1 --proto udp --dst-port 53 --remote-ip 10.0.0.1",
			diagnoseArgs{q: diagnose.Query{Server: "web-1", Protocol: "udp", Port: 53, From: "10.0.0.1/32"}, format: "text"}, ""},
		{"web-1 --port ssh", diagnoseArgs{}, `--port takes a number (got "ssh")`},
		{"web-1 -f csv", diagnoseArgs{}, `unknown format "csv"`},
		{"web-1 web-2", diagnoseArgs{}, "one server, please"},
		{"web-1 --long", diagnoseArgs{}, "--long needs a value"},
		{"", diagnoseArgs{}, "name the server"},
	}
	for _, tt := range tests {
		got, err := parseDiagnose(strings.Fields(tt.words))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseDiagnose(%q) = %v, want %q", tt.words, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseDiagnose(%q): %v", tt.words, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(diagnoseArgs{})); diff != "" {
			t.Errorf("parseDiagnose(%q) (-want +got):\n%s", tt.words, diff)
		}
	}
}

func TestAdviseQuery(t *testing.T) {
	tests := []struct {
		topic string
		want  diagnose.Query
	}{
		{"why can't I reach web-1?", diagnose.Query{}},
		{"why can't I ssh to web-1 from 203.0.113.7", diagnose.Query{Port: 22, From: "203.0.113.7"}},
		{"web-1 does not answer https", diagnose.Query{Port: 443}},
		{"is port 8080 open on web-1?", diagnose.Query{Port: 8080}},
		{"web-1 does not answer ping", diagnose.Query{Protocol: "icmp"}},
		{"dns over udp port 53 to web-1", diagnose.Query{Protocol: "udp", Port: 53}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, adviseQuery(tt.topic)); diff != "" {
			t.Errorf("adviseQuery(%q) (-want +got):\n%s", tt.topic, diff)
		}
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		text, word string
		want       bool
	}{
		{"why can't i reach web-1?", "web-1", true},
		{"why can't i reach web-10?", "web-1", false},
		{"is web-1.", "web-1", true},
		{"is web-1.example.com up", "web-1", false},
		{"myweb-1 is down", "web-1", false},
		{"a", "a", false},
	}
	for _, tt := range tests {
		if got := mentions(tt.text, tt.word); got != tt.want {
			t.Errorf("mentions(%q, %q) = %v", tt.text, tt.word, got)
		}
	}
}
