package cloud

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// debugTransport writes one line per HTTP attempt: method, URL, status,
// duration and request ID. It never writes headers or bodies, so tokens
// (X-Auth-Token, X-Subject-Token) and passwords cannot reach the log;
// query parameters that carry secrets (Swift temp URL signatures) are
// masked.
type debugTransport struct {
	next http.RoundTripper
	w    io.Writer
	mu   sync.Mutex
}

func (d *debugTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := d.next.RoundTrip(req)
	took := time.Since(start).Round(time.Millisecond)
	var line string
	if err != nil {
		line = fmt.Sprintf("http: %s %s -> error after %s: %v\n", req.Method, redactURL(req.URL), took, err)
	} else {
		line = fmt.Sprintf("http: %s %s -> %d in %s", req.Method, redactURL(req.URL), resp.StatusCode, took)
		if id := requestID(resp.Header); id != "" {
			line += " " + id
		}
		line += "\n"
	}
	d.mu.Lock()
	_, _ = io.WriteString(d.w, line)
	d.mu.Unlock()
	return resp, err
}

// secretParams are query parameters whose values are credentials.
var secretParams = []string{"temp_url_sig", "signature", "sig", "token", "password", "x-auth-token"}

func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		q := c.Query()
		changed := false
		for k := range q {
			for _, s := range secretParams {
				if strings.EqualFold(k, s) {
					q.Set(k, "REDACTED")
					changed = true
				}
			}
		}
		if changed {
			c.RawQuery = q.Encode()
		}
	}
	return c.String()
}

// requestID returns the OpenStack request ID of a response ("" if none).
func requestID(h http.Header) string {
	for _, k := range []string{"X-Openstack-Request-Id", "X-Compute-Request-Id", "X-Request-Id"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}
