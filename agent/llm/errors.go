package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
)

// Kinds of failure a caller may want to tell apart (errors.Is), e.g. to
// suggest /model or to choose an exit code.
var (
	// ErrAuth: the endpoint refused the key (401, 403).
	ErrAuth = errors.New("model endpoint refused the key")
	// ErrNotFound: the model or deployment does not exist there (404).
	ErrNotFound = errors.New("model not found")
	// ErrRateLimited: still 429 after the retries, or asked to wait too long.
	ErrRateLimited = errors.New("model endpoint rate limited")
	// ErrUnavailable: still 5xx after the retries, or the stream broke.
	ErrUnavailable = errors.New("model endpoint unavailable")
	// ErrUnreachable: no connection to the endpoint.
	ErrUnreachable = errors.New("model endpoint unreachable")
	// ErrRejected: any other refusal of the request (400, 413, 422, …).
	ErrRejected = errors.New("model endpoint rejected the request")
)

// statusError is a non-2xx answer, made by the HTTP doer before go-openai
// sees it, so that the status, Retry-After and message stay available.
type statusError struct {
	status     int
	retryAfter string
	message    string // the server's error.message, or its body's start
}

func (e *statusError) Error() string {
	if e.message == "" {
		return fmt.Sprintf("HTTP %d", e.status)
	}
	return fmt.Sprintf("HTTP %d: %s", e.status, e.message)
}

// readStatusError builds a statusError from a failed response and closes
// its body.
func readStatusError(resp *http.Response) *statusError {
	defer func() { _ = resp.Body.Close() }() // an error body, read for its message only
	// The start of the body is enough to say what went wrong; a proxy's
	// HTML error page can be long.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	se := &statusError{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	var wire struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &wire) == nil && len(wire.Error) > 0 {
		var obj struct {
			Message string `json:"message"`
		}
		var s string
		switch {
		case json.Unmarshal(wire.Error, &obj) == nil && obj.Message != "":
			se.message = obj.Message
		case json.Unmarshal(wire.Error, &s) == nil:
			se.message = s // llama.cpp and some proxies send "error": "text"
		}
	}
	if se.message == "" {
		se.message = strings.TrimSpace(string(body))
	}
	const limit = 300
	if len(se.message) > limit {
		se.message = se.message[:limit] + "…"
	}
	return se
}

// Error is what Complete returns for a failure a person can act on. Its
// text never holds the API key, and it unwraps to one of the Err* kinds
// only, never to the underlying error whose text might.
type Error struct {
	Kind   error // ErrAuth, ErrNotFound, …
	Status int   // HTTP status, 0 if none
	msg    string
}

func (e *Error) Error() string { return e.msg }

// Unwrap exposes the kind for errors.Is.
func (e *Error) Unwrap() error { return e.Kind }

// explain turns a failure from one attempt into an Error that says what
// happened and what to set, with the key scrubbed from anything the
// server echoed.
func (c *client) explain(err error, attempts int) error {
	var (
		kind   error
		status int
		msg    string
	)
	var se *statusError
	var te *tokenError
	switch {
	case errors.As(err, &te):
		// The source's own words already say what to run.
		kind, status = ErrAuth, http.StatusUnauthorized
		msg = fmt.Sprintf("no token for the model endpoint at %s: %v", c.cfg.endpoint(), te.err)
	case errors.As(err, &se):
		status = se.status
		switch {
		case se.status == http.StatusUnauthorized || se.status == http.StatusForbidden:
			kind = ErrAuth
			msg = fmt.Sprintf("the model endpoint at %s refused the key: %v; %s", c.cfg.endpoint(), se, c.cfg.AuthRemedy())
		case se.status == http.StatusNotFound:
			kind = ErrNotFound
			if c.cfg.provider() == ProviderAzure {
				msg = fmt.Sprintf("deployment %q not found at %s (check AZURE_OPENAI_DEPLOYMENT and AZURE_OPENAI_API_VERSION): %v", c.cfg.AzureDeployment, c.cfg.endpoint(), se)
			} else {
				msg = fmt.Sprintf("model %q not found at %s (check OSTUI_MODEL and the base URL): %v", c.cfg.Model, c.cfg.endpoint(), se)
			}
		case se.status == http.StatusTooManyRequests:
			kind = ErrRateLimited
			msg = fmt.Sprintf("the model endpoint is rate limiting ostui after %d attempts; try again later: %v", attempts, se)
		case se.status >= 500:
			kind = ErrUnavailable
			msg = fmt.Sprintf("the model endpoint at %s failed after %d attempts: %v", c.cfg.endpoint(), attempts, se)
		default:
			kind = ErrRejected
			msg = fmt.Sprintf("the model endpoint rejected the request: %v", se)
		}
	case errors.Is(err, errWaitTooLong):
		kind, status = ErrRateLimited, http.StatusTooManyRequests
		msg = fmt.Sprintf("the model endpoint is rate limiting ostui: %v", err)
	case errors.Is(err, syscall.ECONNREFUSED):
		kind = ErrUnreachable
		msg = fmt.Sprintf("cannot reach the model endpoint at %s: connection refused; is the server running, and is %s right?", c.cfg.endpoint(), c.urlVariable())
	case isNetError(err):
		kind = ErrUnreachable
		msg = fmt.Sprintf("cannot reach the model endpoint at %s (check %s): %v", c.cfg.endpoint(), c.urlVariable(), err)
	default:
		kind = ErrUnavailable
		msg = fmt.Sprintf("the model's answer from %s broke off: %v", c.cfg.endpoint(), err)
	}
	return &Error{Kind: kind, Status: status, msg: c.scrub(msg)}
}

// scrub removes the key from text that may echo it (some servers quote
// the bad key back in their 401 message).
func (c *client) scrub(s string) string {
	if len(c.cfg.APIKey) < 4 {
		return s // too short to tell from ordinary text; nothing sane is this short
	}
	return strings.ReplaceAll(s, c.cfg.APIKey, "[REDACTED]")
}

func (c *client) urlVariable() string {
	if c.cfg.provider() == ProviderAzure {
		return EnvAzureEndpoint
	}
	return EnvOpenAIBaseURL
}

func isNetError(err error) bool {
	var ne net.Error
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &op) || errors.As(err, &dns) || (errors.As(err, &ne) && !errors.Is(err, context.Canceled))
}
