package privacy

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", ""},
		{"nothing sensitive", "ACTIVE m1.nano cirros 10.0.0.5", "ACTIVE m1.nano cirros 10.0.0.5"},
		{"uuid", "server 6f1c2a3b-1111-2222-3333-444455556666 is up", "server id-1 is up"},
		{"keystone id", "project 0123456789abcdef0123456789abcdef", "project id-1"},
		{"public ipv4", "reach it at 203.0.113.7:22", "reach it at ip-1:22"},
		{"private and special ipv4 stay", "10.1.2.3 172.16.0.1 192.168.1.1 127.0.0.1 169.254.169.254 0.0.0.0/0 100.64.0.1",
			"10.1.2.3 172.16.0.1 192.168.1.1 127.0.0.1 169.254.169.254 0.0.0.0/0 100.64.0.1"},
		{"public ipv6", "v6 2001:db8::1 and fe80::1 and fd00::5", "v6 ip-1 and fe80::1 and fd00::5"},
		{"full ipv6", "2a00:1450:4001:0824:0000:0000:0000:200e", "ip-1"},
		{"times are not addresses", "12:30:45 up 3 days", "12:30:45 up 3 days"},
		{"mac", "port fa:16:3e:12:34:56 down", "port mac-1 down"},
		{"md5 fingerprint is not a mac", "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99", "fp-1"},
		{"sha256 fingerprint", "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU key", "fp-1 key"},
		{"ssh public key with comment", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq alice@laptop", "key-1"},
		{"pem block", "-----BEGIN RSA PRIVATE KEY-----\nMIIB\nabcd\n-----END RSA PRIVATE KEY-----\n", "key-1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := New().Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestConsistent: the same input keeps its placeholder across calls,
// kinds count separately, and masking twice changes nothing.
func TestConsistent(t *testing.T) {
	m := New()
	a := "6f1c2a3b-1111-2222-3333-444455556666"
	b := "7f1c2a3b-1111-2222-3333-444455556666"
	got := []string{
		m.Text(a), m.Text("203.0.113.9"), m.Text(b), m.Text(a + " on 203.0.113.9"),
		m.Cell("ID", b), m.Text(m.Text(a + " " + b)),
	}
	want := []string{"id-1", "ip-1", "id-2", "id-1 on ip-1", "id-2", "id-1 id-2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	other := New()
	if got := other.Text(b); got != "id-1" {
		t.Errorf("a new session starts counting again: got %q", got)
	}
}

func TestNames(t *testing.T) {
	m := New()
	m.AddName(Project, "demo")
	m.AddName(User, "alice", "al", "user")
	tests := []struct{ in, want string }{
		{"demo", "project-1"},
		{"demo-net and demo_sg", "project-1-net and project-1_sg"},
		{"demonstration", "demonstration"},
		{"alice owns demo", "user-1 owns project-1"},
		{"al is too short to mask in text", "al is too short to mask in text"},
		{"user names a kind, never masked: user-1", "user names a kind, never masked: user-1"},
	}
	for _, tt := range tests {
		if got := m.Text(tt.in); got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCell(t *testing.T) {
	m := New()
	tests := []struct{ column, in, want string }{
		{"Project", "demo", "project-1"},
		{"Name", "demo-web", "project-1-web"}, // the name was learnt from the column
		{"project_id", "0123456789abcdef0123456789abcdef", "id-1"},
		{"User Name", "bob", "user-1"},
		{"Owner", "qa", "user-2"}, // short names are masked whole in their own column
		{"Floating IP Address", "172.24.4.10", "ip-1"},
		{"Fixed IP Addresses", "ip_address='172.24.4.10', subnet_id='x'", "ip_address='ip-1', subnet_id='x'"},
		{"Fingerprint", "ab:cd", "fp-1"},
		{"Public Key", "ssh-rsa AAAAB3Nza bob@host", "key-1"},
		{"Status", "ACTIVE", "ACTIVE"},
		{"Domain", "Default", "Default"},
	}
	for _, tt := range tests {
		if got := m.Cell(tt.column, tt.in); got != tt.want {
			t.Errorf("Cell(%q, %q) = %q, want %q", tt.column, tt.in, got, tt.want)
		}
	}
}

// TestConcurrent: panels mask at the same time; every goroutine sees the
// one placeholder each value got.
func TestConcurrent(t *testing.T) {
	m := New()
	var wg sync.WaitGroup
	results := make([][]string, 8)
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				results[g] = append(results[g], m.Text(fmt.Sprintf("203.0.113.%d", i)))
			}
		}()
	}
	wg.Wait()
	for g := 1; g < len(results); g++ {
		if diff := cmp.Diff(results[0], results[g]); diff != "" {
			t.Fatalf("goroutine %d saw other placeholders:\n%s", g, diff)
		}
	}
	seen := map[string]bool{}
	for _, p := range results[0] {
		if seen[p] || !strings.HasPrefix(p, "ip-") {
			t.Fatalf("placeholder %q repeated or malformed", p)
		}
		seen[p] = true
	}
}
