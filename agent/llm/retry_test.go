package llm

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestDelay(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	half := func() float64 { return 0.5 }
	tests := []struct {
		name    string
		err     error
		attempt int
		want    time.Duration
		wantErr bool
	}{
		{name: "first backoff", err: &statusError{status: 503}, attempt: 0, want: 375 * time.Millisecond},
		{name: "doubles", err: &statusError{status: 503}, attempt: 2, want: 1500 * time.Millisecond},
		{name: "capped", err: &statusError{status: 503}, attempt: 30, want: 15 * time.Second},
		{name: "retry-after seconds", err: &statusError{status: 429, retryAfter: "7"}, want: 7 * time.Second},
		{name: "retry-after fraction", err: &statusError{status: 429, retryAfter: "0.25"}, want: 250 * time.Millisecond},
		{
			name: "retry-after date",
			err:  &statusError{status: 429, retryAfter: now.Add(4 * time.Second).Format(http.TimeFormat)},
			want: 4 * time.Second,
		},
		{name: "retry-after unreadable falls back", err: &statusError{status: 429, retryAfter: "soon"}, want: 375 * time.Millisecond},
		{name: "retry-after too long", err: &statusError{status: 429, retryAfter: "3600"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := delay(tt.err, tt.attempt, now, half)
			if tt.wantErr {
				if !errors.Is(err, errWaitTooLong) {
					t.Fatalf("error = %v, want errWaitTooLong", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("delay = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&statusError{status: 429}, true},
		{&statusError{status: 500}, true},
		{&statusError{status: 503}, true},
		{&statusError{status: 400}, false},
		{&statusError{status: 401}, false},
		{&statusError{status: 404}, false},
		{errTruncated, true},
		{errors.New("invalid character in JSON"), false},
	}
	for _, tt := range tests {
		if got := retryable(tt.err); got != tt.want {
			t.Errorf("retryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
