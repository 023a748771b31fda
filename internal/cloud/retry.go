package cloud

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// maxTries bounds attempts of an idempotent read, the first included.
const maxTries = 3

// maxRetryAfter caps how long a Retry-After header may make ostui wait.
const maxRetryAfter = 30 * time.Second

// retryTransport retries GET and HEAD on 429, 502, 503 and 504, waiting
// for Retry-After when the server sends it and backing off otherwise.
// Anything that may change the cloud is never retried: a POST that timed
// out may still have created the server.
type retryTransport struct {
	next  http.RoundTripper
	sleep func(ctx context.Context, d time.Duration) error
}

func (r *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return r.next.RoundTrip(req)
	}
	for try := 1; ; try++ {
		resp, err := r.next.RoundTrip(req)
		if err != nil || try == maxTries || !retryable(resp.StatusCode) {
			return resp, err
		}
		wait := backoff(try, resp.Header.Get("Retry-After"))
		// Drain so the connection can be reused for the next attempt.
		_ = resp.Body.Close()
		if err := r.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// backoff is Retry-After (seconds or an HTTP date) when given, else
// 0.5s, 1s, ... for attempts 1, 2, ...
func backoff(try int, retryAfter string) time.Duration {
	if retryAfter != "" {
		if s, err := strconv.Atoi(retryAfter); err == nil && s >= 0 {
			return min(time.Duration(s)*time.Second, maxRetryAfter)
		}
		if t, err := http.ParseTime(retryAfter); err == nil {
			return min(max(time.Until(t), 0), maxRetryAfter)
		}
	}
	return time.Duration(500<<(try-1)) * time.Millisecond
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
