package listeners

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/loadbalancer/lbtest"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// certPair writes a self-signed certificate and its key to dir, and
// returns their paths and the key's PEM.
func certPair(t *testing.T, dir, name string) (cert, key, keyPEM string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "www.example.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalPKCS8PrivateKey(k)
	cert, key = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	keyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}))
	_ = os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_ = os.WriteFile(key, []byte(keyPEM), 0o600)
	return cert, key, keyPEM
}

func findings(chk *tools.Check) string {
	var out []string
	for _, f := range chk.Findings {
		out = append(out, f.Level.String()+": "+f.Text)
	}
	return strings.Join(out, "\n")
}

func TestCreateCheck(t *testing.T) {
	dir := t.TempDir()
	cert, key, _ := certPair(t, dir, "a")
	otherCert, _, _ := certPair(t, dir, "b")
	tests := []struct {
		name    string
		args    map[string]any
		noKM    bool
		blocked bool
		want    string
	}{
		{"free port", map[string]any{"loadbalancer": "web", "protocol": "HTTP", "protocol_port": 8080}, false, false, ""},
		{"port taken", map[string]any{"loadbalancer": "web", "protocol": "HTTP", "protocol_port": 80}, false, true,
			"port 80 is already used by listener web-listener (HTTP) on load balancer web; choose another --protocol-port"},
		{"UDP beside TCP", map[string]any{"loadbalancer": "web", "protocol": "UDP", "protocol_port": 80}, false, false, ""},
		{"TLS without a certificate", map[string]any{"loadbalancer": "web", "protocol": "TERMINATED_HTTPS", "protocol_port": 443}, false, true,
			"a TERMINATED_HTTPS listener needs a certificate: give --cert FILE.pem --key FILE.pem"},
		{"certificate on plain HTTP", map[string]any{"loadbalancer": "web", "protocol": "HTTP", "protocol_port": 81, "cert": cert, "key": key}, false, true,
			"are for a TERMINATED_HTTPS listener, not HTTP"},
		{"key of another certificate", map[string]any{"loadbalancer": "web", "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "cert": otherCert, "key": key}, false, true,
			"does not belong to the certificate"},
		{"key as certificate", map[string]any{"loadbalancer": "web", "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "cert": key, "key": key}, false, true,
			"holds a private key; give the certificate with --cert"},
		{"a good pair", map[string]any{"loadbalancer": "web", "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "cert": cert, "key": key}, false, false,
			"certificate for CN=www.example.test"},
		{"no key manager", map[string]any{"loadbalancer": "web", "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "cert": cert, "key": key}, true, true,
			"this cloud has no key manager (Barbican)"},
		{"missing container", map[string]any{"loadbalancer": "web", "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "tls_container": "0c999999-0000-4000-8000-000000000000"}, false, true,
			"no certificate container"},
		{"load balancer from an earlier step", map[string]any{"loadbalancer": "${lb.id}", "protocol": "HTTP", "protocol_port": 80}, false, false,
			"comes from an earlier step"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := lbtest.New(t)
			if tt.noKM {
				delete(f.Cloud.Caps.Services, "key-manager")
			}
			id := f.LB("web", "s", "n")
			f.Listener(id, "web-listener", "HTTP", 80)
			tl := toolstest.Tool(t, Tools(), "loadbalancer.listener.create")
			chk, err := tl.Check(context.Background(), f.Cloud.Env(), tools.JSON(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			if chk.Blocked() != tt.blocked || !strings.Contains(findings(chk), tt.want) {
				t.Errorf("blocked=%t findings:\n%s\nwant %q", chk.Blocked(), findings(chk), tt.want)
			}
		})
	}
}

// TestTLSKeyStaysInBarbican runs a TERMINATED_HTTPS listener's whole
// life and proves the private key reaches Barbican's secret request and
// nothing else: not the preview, the result, the request to Octavia.
func TestTLSKeyStaysInBarbican(t *testing.T) {
	f := lbtest.New(t)
	env := f.Cloud.Env()
	id := f.LB("web", "s", "n")
	cert, key, keyPEM := certPair(t, t.TempDir(), "c")
	secretLine := strings.Split(strings.TrimSpace(keyPEM), "\n")[1]
	tl := toolstest.Tool(t, Tools(), "loadbalancer.listener.create")
	args := tools.JSON(map[string]any{"loadbalancer": "web", "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "cert": cert, "key": key, "name": "tls"})
	chk, err := tl.Check(context.Background(), env, args)
	if err != nil || chk.Blocked() {
		t.Fatalf("check: %v\n%s", err, findings(chk))
	}
	p, err := tl.Preview(context.Background(), env, chk.Resolved, chk)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tl.Run(context.Background(), env, chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	shown, _ := json.Marshal([]any{chk, p, res.Message, res.Outputs})
	if strings.Contains(string(shown), secretLine) || strings.Contains(string(shown), "PRIVATE KEY") {
		t.Fatalf("the private key shows in the check, preview or result: %s", shown)
	}
	if !strings.Contains(string(shown), `"payload":"\u003c`) {
		t.Errorf("the preview does not show the secret requests with their payload's size: %s", shown)
	}
	keyBodies := 0
	for _, b := range f.Bodies {
		if strings.Contains(b, secretLine) {
			keyBodies++
			if !strings.HasPrefix(b, "POST /km/v1/secrets ") || !strings.Contains(b, `"secret_type":"private"`) {
				t.Errorf("the key went elsewhere than Barbican's private secret: %.80s", b)
			}
		}
	}
	if keyBodies != 1 {
		t.Errorf("the key was sent %d times, want once", keyBodies)
	}
	ref := res.Outputs["certificate"]
	l := f.Get("listeners", res.Outputs["id"])
	if ref == "" || l["default_tls_container_ref"] != ref || len(f.All("secrets")) != 2 || len(f.All("containers")) != 1 {
		t.Fatalf("listener %v, certificate %q, %d secrets, %d containers", l, ref, len(f.All("secrets")), len(f.All("containers")))
	}
	_, _ = res.Await.Poll(context.Background(), env) // PENDING_UPDATE, then it settles
	if st, _ := res.Await.Poll(context.Background(), env); st != "ACTIVE" {
		t.Errorf("load balancer %s after the listener: %s", id, st)
	}

	// The undo deletes the listener, then its certificate with its secrets.
	undo := tl.Undo(chk.Resolved, res)
	if undo == nil || undo.Tool != "loadbalancer.listener.delete" || !strings.Contains(string(undo.Args), ref) {
		t.Fatalf("undo %+v", undo)
	}
	del := toolstest.Tool(t, Tools(), "loadbalancer.listener.delete")
	dchk, err := del.Check(context.Background(), env, undo.Args)
	if err != nil {
		t.Fatal(err)
	}
	dp, err := del.Preview(context.Background(), env, dchk.Resolved, dchk)
	if err != nil || len(dp.Deletes) != 2 || dp.Deletes[1].Kind != "certificate container" {
		t.Fatalf("delete preview %+v %v", dp, err)
	}
	if _, err := del.Run(context.Background(), env, dchk.Resolved); err != nil {
		t.Fatal(err)
	}
	if len(f.All("listeners")) != 0 || len(f.All("secrets")) != 0 || len(f.All("containers")) != 0 {
		t.Errorf("left behind: %d listeners, %d secrets, %d containers", len(f.All("listeners")), len(f.All("secrets")), len(f.All("containers")))
	}
}

// TestTLSCleanupOnFailure: a listener Octavia refuses leaves no
// certificate behind in Barbican.
func TestTLSCleanupOnFailure(t *testing.T) {
	f := lbtest.New(t)
	env := f.Cloud.Env()
	id := f.LB("web", "s", "n")
	cert, key, _ := certPair(t, t.TempDir(), "c")
	f.Fail = "POST /lb/v2.0/lbaas/listeners"
	tl := toolstest.Tool(t, Tools(), "loadbalancer.listener.create")
	_, err := tl.Run(context.Background(), env, tools.JSON(map[string]any{"loadbalancer": id, "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "cert": cert, "key": key}))
	if err == nil || strings.Contains(err.Error(), "PRIVATE") {
		t.Fatalf("err %v", err)
	}
	if len(f.All("secrets")) != 0 || len(f.All("containers")) != 0 {
		t.Errorf("left in Barbican: %d secrets, %d containers", len(f.All("secrets")), len(f.All("containers")))
	}
}

func TestSetAndDelete(t *testing.T) {
	f := lbtest.New(t)
	env := f.Cloud.Env()
	id := f.LB("web", "s", "n")
	f.Listener(id, "web-listener", "HTTP", 80)
	set := toolstest.Tool(t, Tools(), "loadbalancer.listener.set")
	chk, err := set.Check(context.Background(), env, tools.JSON(map[string]any{"listener": "web-listener", "tls_container": "x"}))
	if err != nil || !chk.Blocked() || !strings.Contains(findings(chk), "only a TERMINATED_HTTPS listener takes a certificate") {
		t.Fatalf("%v\n%s", err, findings(chk))
	}
	chk, err = set.Check(context.Background(), env, tools.JSON(map[string]any{"listener": "web-listener", "connection_limit": 100}))
	if err != nil || chk.Blocked() {
		t.Fatalf("%v\n%s", err, findings(chk))
	}
	if _, err := set.Run(context.Background(), env, chk.Resolved); err != nil {
		t.Fatal(err)
	}
	del := toolstest.Tool(t, Tools(), "loadbalancer.listener.delete")
	if _, err := del.Run(context.Background(), env, tools.JSON(map[string]any{"listener": "web-listener"})); err != nil {
		t.Fatal(err)
	}
	if len(f.All("listeners")) != 0 {
		t.Error("listener not deleted")
	}
}
