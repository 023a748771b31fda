package cloud

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRetry(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		statuses   []int  // answered in turn; the last repeats
		retryAfter string // header on failures
		wantCalls  int
		wantStatus int
		wantWaits  []time.Duration
	}{
		{"GET 503 then 200", "GET", []int{503, 200}, "", 2, 200, []time.Duration{500 * time.Millisecond}},
		{"GET 502, 504, 200", "GET", []int{502, 504, 200}, "", 3, 200, []time.Duration{500 * time.Millisecond, time.Second}},
		{"GET gives up after 3 tries", "GET", []int{503}, "", 3, 503, []time.Duration{500 * time.Millisecond, time.Second}},
		{"GET 429 honours Retry-After", "GET", []int{429, 200}, "7", 2, 200, []time.Duration{7 * time.Second}},
		{"Retry-After is capped", "GET", []int{429, 200}, "3600", 2, 200, []time.Duration{maxRetryAfter}},
		{"HEAD retried", "HEAD", []int{503, 200}, "", 2, 200, []time.Duration{500 * time.Millisecond}},
		{"POST never retried", "POST", []int{503, 200}, "", 1, 503, nil},
		{"DELETE never retried", "DELETE", []int{503, 200}, "", 1, 503, nil},
		{"GET 500 not retried", "GET", []int{500, 200}, "", 1, 500, nil},
		{"GET 404 not retried", "GET", []int{404, 200}, "", 1, 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(calls.Add(1)) - 1
				status := tt.statuses[min(n, len(tt.statuses)-1)]
				if status != 200 && tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(status)
			}))
			defer srv.Close()
			var waits []time.Duration
			rt := &retryTransport{next: http.DefaultTransport, sleep: func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			}}
			req, _ := http.NewRequestWithContext(t.Context(), tt.method, srv.URL, nil)
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			if err := resp.Body.Close(); err != nil {
				t.Error(err)
			}
			if int(calls.Load()) != tt.wantCalls || resp.StatusCode != tt.wantStatus {
				t.Errorf("calls %d status %d, want %d %d", calls.Load(), resp.StatusCode, tt.wantCalls, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.wantWaits, waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRetryStopsOnCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	rt := &retryTransport{next: http.DefaultTransport, sleep: func(context.Context, time.Duration) error { return context.Canceled }}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL, nil)
	resp, err := rt.RoundTrip(req)
	if err == nil {
		_ = resp.Body.Close()
		t.Error("want the sleep's error")
	}
}

func TestRetryThroughConn(t *testing.T) {
	// The whole stack: a gophercloud GET through a Conn survives one 503.
	f := newFakeCloud(t)
	var flaky atomic.Int32
	inner := f.srv.Config.Handler
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/flavors") && flaky.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, "busy")
			return
		}
		inner.ServeHTTP(w, r)
	})
	c := New(f.cloud(), Options{})
	sc, err := c.ServiceClient(t.Context(), "compute")
	if err != nil {
		t.Fatal(err)
	}
	// Make the backoff instant for this test.
	c.http.Transport.(readOnlyTransport).next.(*retryTransport).sleep = func(context.Context, time.Duration) error { return nil }
	sc.HTTPClient = *c.http
	if _, err := sc.Get(t.Context(), sc.ServiceURL("flavors"), nil, nil); err != nil { //nolint:bodyclose // closed by gophercloud
		t.Fatalf("GET after one 503: %v", err)
	}
	if flaky.Load() != 2 {
		t.Errorf("flavors requested %d times, want 2", flaky.Load())
	}
}
