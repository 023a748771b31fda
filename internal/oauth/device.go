package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/internal/termtext"
)

// DeviceCode is a device authorization answer (RFC 8628 §3.2): what the
// person is shown, and what ostui polls with.
type DeviceCode struct {
	DeviceCode string `json:"device_code"`
	// UserCode is what the person types at VerificationURI.
	UserCode        string `json:"user_code"`
	VerificationURI string `json:"verification_uri"`
	// VerificationURIComplete carries the code already, for a link or a
	// QR code; not every server gives one (GitHub does not).
	VerificationURIComplete string `json:"verification_uri_complete"`
	// Expires is when the codes stop working.
	Expires time.Time `json:"-"`
	// Interval is the time between polls the server asked for.
	Interval time.Duration `json:"-"`
	// Message is the server's own instruction (Entra sends one).
	Message string `json:"message"`
}

// Defaults RFC 8628 gives when the server says nothing.
const (
	defaultInterval = 5 * time.Second
	// slowDownStep is what §3.5 says to add on each slow_down.
	slowDownStep = 5 * time.Second
	// defaultDeviceLifetime applies when expires_in is missing (it is
	// required; a server that leaves it out still should not be polled for
	// ever).
	defaultDeviceLifetime = 15 * time.Minute
	// maxTransient failed polls in a row end the wait; maxBackoff caps the
	// doubled interval between them.
	maxTransient = 5
	maxBackoff   = time.Minute
)

// RequestDeviceCode starts a device flow (RFC 8628 §3.1).
func (c *Client) RequestDeviceCode(ctx context.Context) (*DeviceCode, error) {
	if c.Endpoints.DeviceAuthURL == "" {
		return nil, errors.New("this authorization server has no device authorization endpoint")
	}
	form := url.Values{"client_id": {c.ClientID}}
	if len(c.Scopes) > 0 {
		form.Set("scope", strings.Join(c.Scopes, " "))
	}
	var wire struct {
		Error                   string     `json:"error"`
		ErrorDescription        string     `json:"error_description"`
		Interval                flexNumber `json:"interval"`
		DeviceCode              string     `json:"device_code"`
		UserCode                string     `json:"user_code"`
		VerificationURI         string     `json:"verification_uri"`
		VerificationURL         string     `json:"verification_url"` // Entra's v1 and Google's spelling
		VerificationURIComplete string     `json:"verification_uri_complete"`
		ExpiresIn               flexNumber `json:"expires_in"`
		Message                 string     `json:"message"`
	}
	status, err := c.post(ctx, c.Endpoints.DeviceAuthURL, form, &wire)
	if err != nil {
		return nil, err
	}
	if wire.Error != "" {
		return nil, &Error{Code: termtext.Safe(wire.Error), Description: termtext.Safe(wire.ErrorDescription), Status: status}
	}
	if status < 200 || status > 299 || wire.DeviceCode == "" || wire.UserCode == "" {
		return nil, fmt.Errorf("%s answered HTTP %d without a device code", redactURL(c.Endpoints.DeviceAuthURL), status)
	}
	verify := wire.VerificationURI
	if verify == "" {
		verify = wire.VerificationURL
	}
	if verify == "" {
		return nil, fmt.Errorf("%s gave no verification URI to send the person to", redactURL(c.Endpoints.DeviceAuthURL))
	}
	dc := &DeviceCode{
		DeviceCode:              wire.DeviceCode,
		UserCode:                termtext.Safe(wire.UserCode),
		VerificationURI:         termtext.Safe(verify),
		VerificationURIComplete: termtext.Safe(wire.VerificationURIComplete),
		Message:                 termtext.Safe(wire.Message),
		Interval:                time.Duration(wire.Interval) * time.Second,
	}
	if dc.Interval <= 0 {
		dc.Interval = defaultInterval
	}
	life := time.Duration(wire.ExpiresIn) * time.Second
	if life <= 0 {
		life = defaultDeviceLifetime
	}
	dc.Expires = c.clock().Now().Add(life)
	return dc, nil
}

// Poll is one wait in a device flow, for a progress line.
type Poll struct {
	// Attempt counts token requests sent so far.
	Attempt int
	// Interval is the current wait between requests (it grows on slow_down).
	Interval time.Duration
	// Remaining is the time left before the code expires.
	Remaining time.Duration
	// SlowedDown is set when the server just asked for a slower pace.
	SlowedDown bool
}

// PollToken polls the token endpoint until the person approves or
// declines, the code expires, or ctx is done (Ctrl-C): RFC 8628 §3.4–3.5.
// It waits dc.Interval before each request, adds 5 s on each slow_down,
// and keeps going on authorization_pending. progress, when set, is called
// before each wait.
func (c *Client) PollToken(ctx context.Context, dc *DeviceCode, progress func(Poll)) (*Token, error) {
	clock := c.clock()
	interval := dc.Interval
	if interval <= 0 {
		interval = defaultInterval
	}
	slowed := false
	failures := 0
	for attempt := 0; ; attempt++ {
		remaining := dc.Expires.Sub(clock.Now())
		if remaining <= 0 {
			return nil, fmt.Errorf("the code %s expired before it was approved: %w", dc.UserCode, ErrExpiredToken)
		}
		if progress != nil {
			progress(Poll{Attempt: attempt, Interval: interval, Remaining: remaining, SlowedDown: slowed})
		}
		slowed = false
		if err := clock.Sleep(ctx, interval); err != nil {
			return nil, fmt.Errorf("stopped waiting for approval: %w", err)
		}
		if !clock.Now().Before(dc.Expires) {
			return nil, fmt.Errorf("the code %s expired before it was approved: %w", dc.UserCode, ErrExpiredToken)
		}
		tok, tr, err := c.tokenRequest(ctx, url.Values{
			"grant_type":  {"urn:ietf:params:oauth:grant-type:device_code"},
			"device_code": {dc.DeviceCode},
			"client_id":   {c.ClientID},
		})
		if err == nil {
			return tok, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("stopped waiting for approval: %w", ctx.Err())
		}
		var te *transientError
		if errors.As(err, &te) {
			// RFC 8628 §3.5: back off on a connection failure or a
			// server fault, and keep waiting while the code lives.
			failures++
			if failures > maxTransient {
				return nil, fmt.Errorf("gave up after %d failed attempts to reach the authorization server: %w", failures, err)
			}
			interval = min(interval*2, maxBackoff)
			continue
		}
		failures = 0
		var oe *Error
		if !errors.As(err, &oe) {
			return nil, err
		}
		switch {
		case oe.Code == "authorization_pending":
		case oe.Code == "slow_down":
			interval += slowDownStep
			// GitHub says the new interval outright; never poll faster
			// than it asks.
			if s := time.Duration(tr.Interval) * time.Second; s > interval {
				interval = s
			}
			slowed = true
		case errors.Is(err, ErrAccessDenied):
			return nil, fmt.Errorf("the request was declined at %s: %w", dc.VerificationURI, err)
		case errors.Is(err, ErrExpiredToken):
			return nil, fmt.Errorf("the code %s expired before it was approved: %w", dc.UserCode, err)
		default:
			return nil, err
		}
	}
}
