package llm

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Backoff bounds. Retry-After from the server wins over the computed
// delay, up to maxRetryAfter: a longer wait is reported, not slept, because
// a person is waiting at the prompt.
const (
	baseDelay     = 500 * time.Millisecond
	maxDelay      = 20 * time.Second
	maxRetryAfter = 60 * time.Second
)

// errWaitTooLong: the server asked for a wait longer than maxRetryAfter.
var errWaitTooLong = errors.New("asked to wait too long")

// retryable reports whether another attempt may succeed: rate limits,
// server faults and failed connections. The caller also checks that no
// text reached the person yet.
func retryable(err error) bool {
	var se *statusError
	if errors.As(err, &se) {
		return se.status == http.StatusTooManyRequests || se.status >= 500
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	// Connection refused or reset, DNS, a stream cut before its end: all
	// transient from here, and safe to repeat while nothing was shown.
	return isNetError(err) || errors.Is(err, errTruncated) || isUnexpectedEOF(err)
}

// delay is how long to wait before retry number attempt (0-based): the
// server's Retry-After if it sent one, else exponential backoff with full
// jitter so that many clients do not retry in step.
func delay(err error, attempt int, now time.Time, jitter func() float64) (time.Duration, error) {
	var se *statusError
	if errors.As(err, &se) && se.retryAfter != "" {
		if d, ok := parseRetryAfter(se.retryAfter, now); ok {
			if d > maxRetryAfter {
				return 0, fmt.Errorf("%w: the server asks to retry after %s; %v", errWaitTooLong, d.Round(time.Second), se)
			}
			return d, nil
		}
	}
	d := baseDelay << attempt
	if d > maxDelay || d <= 0 {
		d = maxDelay
	}
	// Half fixed, half random: never zero, never in lockstep.
	return d/2 + time.Duration(jitter()*float64(d/2)), nil
}

// parseRetryAfter reads either form of Retry-After: delay-seconds or an
// HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// sleepCtx waits d or until ctx ends, whichever is first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func defaultJitter() float64 { return rand.Float64() }
