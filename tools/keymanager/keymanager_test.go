package keymanager

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadCertPair(t *testing.T) {
	dir := t.TempDir()
	mk := func(cn string) (certPEM, keyPEM []byte) {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
		der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		kb, _ := x509.MarshalPKCS8PrivateKey(k)
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})
	}
	cert, key := mk("www.example.test")
	inter, otherKey := mk("intermediate")
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		_ = os.WriteFile(p, b, 0o600)
		return p
	}
	encrypted := []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")
	tests := []struct {
		name, cert, key string
		want            string
		chain           bool
	}{
		{"a pair", write("c.pem", cert), write("k.pem", key), "", false},
		{"with its chain", write("chain.pem", append(append([]byte{}, cert...), inter...)), write("k2.pem", key), "", true},
		{"another key", write("c2.pem", cert), write("other.pem", otherKey), "does not belong to the certificate", false},
		{"key as certificate", write("k3.pem", key), write("k4.pem", key), "holds a private key", false},
		{"no certificate", write("empty.pem", []byte("hello")), write("k5.pem", key), "holds no PEM certificate", false},
		{"encrypted key", write("c3.pem", cert), write("enc.pem", encrypted), "encrypted with a passphrase", false},
		{"missing file", filepath.Join(dir, "nope.pem"), write("k6.pem", key), "cannot read the certificate", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ReadCertPair(tt.cert, tt.key)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err %v, want %q", err, tt.want)
				}
				if strings.Contains(err.Error(), "PRIVATE KEY-----\n") || strings.Contains(err.Error(), string(key[40:60])) {
					t.Errorf("the error quotes a file: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Subject != "CN=www.example.test" || (len(p.Chain) > 0) != tt.chain || string(p.Key) != string(key) {
				t.Errorf("pair %q chain=%d", p.Subject, len(p.Chain))
			}
			opts := SecretOpts("web", p)
			if _, ok := opts["intermediates"]; ok != tt.chain {
				t.Errorf("secrets %v", opts)
			}
			if r := Redacted(opts["private_key"]); strings.Contains(r["payload"].(string), "PRIVATE") {
				t.Errorf("redacted %v", r)
			}
		})
	}
}

func TestRefID(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:9311/v1/containers/abc":  "abc",
		"http://127.0.0.1:9311/v1/containers/abc/": "abc",
		"abc": "abc",
	} {
		if got := RefID(in); got != want {
			t.Errorf("RefID(%q) = %q", in, got)
		}
	}
}
