package cloud

import (
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/internal/config"
)

func httpErr(status int, method, url, body string) error {
	h := http.Header{}
	h.Set("X-Openstack-Request-Id", "req-abc")
	return gophercloud.ErrUnexpectedResponseCode{
		URL: url, Method: method, Expected: []int{200}, Actual: status, Body: []byte(body), ResponseHeader: h,
	}
}

func TestExplainStatus(t *testing.T) {
	novaURL := "http://nova/v2.1/servers/s1/action"
	tests := []struct {
		name     string
		err      error
		kind     Kind
		contains []string
	}{
		{"401 on a token", &gophercloud.ErrErrorAfterReauthentication{ErrOriginal: httpErr(401, "GET", "http://nova/v2.1/servers", `{"error": {"message": "The request you have made requires authentication."}}`)},
			KindAuth, []string{"rejected the token", `cloud "c1"`, "run the command again", "request ID req-abc"}},
		{"401 at login", &AuthError{Cloud: "c1", AuthURL: "http://k/v3", Err: httpErr(401, "POST", "http://k/v3/auth/tokens", `{"error": {"message": "The request you have made requires authentication."}}`)},
			KindAuth, []string{"Keystone at http://k/v3 rejected the credentials", `cloud "c1"`, "secure.yaml"}},
		{"401 then re-auth fails", &gophercloud.ErrUnableToReauthenticate{ErrOriginal: httpErr(401, "GET", "http://nova/v2.1/servers", ""),
			ErrReauth: &AuthError{Cloud: "c1", AuthURL: "http://k/v3", Err: httpErr(401, "POST", "http://k/v3/auth/tokens", "")}},
			KindAuth, []string{"rejected the credentials"}},
		{"403 policy", httpErr(403, "POST", novaURL, `{"forbidden": {"message": "Policy doesn't allow os_compute_api:os-migrate-server:migrate to be performed.", "code": 403}}`),
			KindForbidden, []string{"not allowed", "POST " + novaURL, "user alice in project demo", "roles member, reader", "os-migrate-server", "role that permits"}},
		{"403 quota", httpErr(403, "POST", "http://nova/v2.1/servers", `{"forbidden": {"message": "Quota exceeded for cores: Requested 4, but already used 20 of 20 cores", "code": 403}}`),
			KindQuota, []string{"quota exceeded for cores", "Requested 4", "raise the quota"}},
		{"413 over limit", httpErr(413, "POST", "http://cinder/v3/p/volumes", `{"overLimit": {"message": "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota.", "code": 413}}`),
			KindQuota, []string{"quota", "gigabytes"}},
		{"409 conflict with Nova's message", httpErr(409, "POST", novaURL, `{"conflictingRequest": {"message": "Cannot 'stop' instance s1 while it is in vm_state stopped", "code": 409}}`),
			KindConflict, []string{"conflict", "vm_state stopped", "request ID req-abc"}},
		{"404 with URL", httpErr(404, "GET", "http://nova/v2.1/servers/nope", `{"itemNotFound": {"message": "Instance nope could not be found.", "code": 404}}`),
			KindNotFound, []string{"not found: GET http://nova/v2.1/servers/nope", "could not be found"}},
		{"400 neutron", httpErr(400, "POST", "http://neutron/v2.0/networks", `{"NeutronError": {"type": "HTTPBadRequest", "message": "Invalid input for mtu.", "detail": ""}}`),
			KindBadRequest, []string{"invalid", "Invalid input for mtu"}},
		{"500 html body", httpErr(500, "GET", "http://glance/v2/images", `<html><body><h1>500 Internal Server Error</h1></body></html>`),
			KindServer, []string{"HTTP 500", "GET http://glance/v2/images", "500 Internal Server Error", "try again later", "req-abc"}},
		{"503", httpErr(503, "GET", "http://nova/v2.1/servers", ""), KindServer, []string{"HTTP 503"}},
	}
	w := &who{scope: Scope{Cloud: "c1", Project: "demo", User: "alice"}, roles: []string{"member", "reader"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := explain(fmt.Errorf("server stop: %w", tt.err), w)
			var e *Error
			if !errors.As(got, &e) {
				t.Fatalf("not explained: %v", got)
			}
			if e.Kind != tt.kind {
				t.Errorf("kind %d, want %d (%v)", e.Kind, tt.kind, got)
			}
			for _, s := range tt.contains {
				if !strings.Contains(got.Error(), s) {
					t.Errorf("%q\nlacks %q", got, s)
				}
			}
		})
	}
}

func TestExplainPassesThrough(t *testing.T) {
	plain := errors.New(`no server named or with ID "web-9"`)
	if got := Explain(plain); got != plain {
		t.Errorf("Explain changed a tool error: %v", got)
	}
	if Explain(nil) != nil {
		t.Error("Explain(nil) != nil")
	}
	once := Explain(httpErr(409, "POST", "http://x", ""))
	if Explain(once) != once {
		t.Error("Explain is not idempotent")
	}
}

func TestExplainTransport(t *testing.T) {
	t.Run("https to a plain HTTP port", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		defer srv.Close()
		https := "https://" + strings.TrimPrefix(srv.URL, "http://")
		hc, err := newHTTPClient(&config.Cloud{Name: "plain", AuthURL: https + "/v3"}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := hc.Get(https)
		if err == nil {
			_ = resp.Body.Close()
			t.Fatal("a TLS handshake with a plain HTTP server succeeded")
		}
		got := Explain(err)
		var e *Error
		if !errors.As(got, &e) || e.Kind != KindTLS || !strings.Contains(got.Error(), "plain HTTP? Try http://") {
			t.Fatalf("explanation = %v", got)
		}
	})
	t.Run("TLS unknown authority, then cacert fixes it", func(t *testing.T) {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		// The rejected handshake is the point; keep it out of the test log.
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.StartTLS()
		defer srv.Close()
		cfg := &config.Cloud{Name: "tls", AuthURL: srv.URL + "/v3"}
		hc, err := newHTTPClient(cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := hc.Get(srv.URL)
		if err == nil {
			_ = resp.Body.Close() // the assertions below report the missing error
		}
		got := Explain(err)
		var e *Error
		if !errors.As(got, &e) || e.Kind != KindTLS {
			t.Fatalf("not a TLS explanation: %v", got)
		}
		for _, s := range []string{strings.TrimPrefix(srv.URL, "https://"), "cacert:", "OS_CACERT", "--os-cacert"} {
			if !strings.Contains(got.Error(), s) {
				t.Errorf("%q lacks %q", got, s)
			}
		}
		ca := filepath.Join(t.TempDir(), "ca.pem")
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
		if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg.CACert = ca
		hc, err = newHTTPClient(cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		resp, err = hc.Get(srv.URL)
		if err != nil {
			t.Fatalf("with cacert: %v", err)
		}
		if err := resp.Body.Close(); err != nil {
			t.Error(err)
		}
	})
	t.Run("insecure skips verification", func(t *testing.T) {
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		defer srv.Close()
		hc, err := newHTTPClient(&config.Cloud{Insecure: true}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := hc.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		if err := resp.Body.Close(); err != nil {
			t.Error(err)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		cfg := &config.Cloud{Name: "down", AuthType: config.AuthPassword, AuthURL: "http://" + addr + "/v3", Username: "u", Password: "p", UserDomainName: "Default"}
		c := New(cfg, Options{})
		_, err = c.Token(t.Context())
		got := c.Explain(err)
		var e *Error
		if !errors.As(got, &e) || e.Kind != KindUnreachable || !strings.Contains(got.Error(), addr) || !strings.Contains(got.Error(), "refused") {
			t.Errorf("Explain = %v", got)
		}
	})
	t.Run("timeout names the host and the limit", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
		defer srv.Close()
		defer close(release)
		cfg := &config.Cloud{Name: "slow", AuthType: config.AuthPassword, AuthURL: srv.URL + "/v3", Username: "u", Password: "p", UserDomainName: "Default"}
		c := New(cfg, Options{Timeout: 50 * time.Millisecond})
		start := time.Now()
		_, err := c.Token(t.Context())
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("took %s, want about the 50ms timeout", took)
		}
		got := c.Explain(err)
		var e *Error
		if !errors.As(got, &e) || e.Kind != KindTimeout {
			t.Fatalf("Explain = %v", got)
		}
		for _, s := range []string{strings.TrimPrefix(srv.URL, "http://"), "limit 50ms", "waiting for a response"} {
			if !strings.Contains(got.Error(), s) {
				t.Errorf("%q lacks %q", got, s)
			}
		}
	})
	t.Run("DNS", func(t *testing.T) {
		err := &url.Error{Op: "Post", URL: "https://keystone.nowhere.invalid:5000/v3/auth/tokens",
			Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "keystone.nowhere.invalid", IsNotFound: true}}}
		got := Explain(err)
		var e *Error
		if !errors.As(got, &e) || e.Kind != KindUnreachable {
			t.Fatalf("Explain = %v", got)
		}
		for _, s := range []string{"keystone.nowhere.invalid:5000", "no such host", "auth_url"} {
			if !strings.Contains(got.Error(), s) {
				t.Errorf("%q lacks %q", got, s)
			}
		}
	})
}
