package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/internal/termtext"
)

// WebOptions configure AuthCodeFlow.
type WebOptions struct {
	// Open sends the person to the authorization URL: it opens a browser
	// or prints the URL, and returns at once. Required.
	Open func(authURL string) error
	// Timeout bounds the wait for the browser to come back; 0 means
	// five minutes.
	Timeout time.Duration
	// CallbackPath is the redirect URI's path; "" means "/callback".
	CallbackPath string
}

// callback is what the browser brought back.
type callback struct {
	code string
	err  error
}

// AuthCodeFlow runs the authorization-code grant with PKCE (S256): it
// listens on 127.0.0.1 at a port the system picks, sends the person to the
// authorization URL with a random state, and trades the code that comes
// back for a token. A callback with another state is refused and ends the
// flow (ErrStateMismatch): it did not come from the request ostui made.
// An error= answer ends it with that *Error.
func (c *Client) AuthCodeFlow(ctx context.Context, opts WebOptions) (*Token, error) {
	if c.Endpoints.AuthURL == "" {
		return nil, errors.New("this authorization server has no authorization endpoint for --web")
	}
	if opts.Open == nil {
		return nil, errors.New("oauth: WebOptions.Open is required")
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	path := opts.CallbackPath
	if path == "" {
		path = "/callback"
	}

	// Loopback only: the code must not be reachable from the network
	// (RFC 8252 §7.3), and 127.0.0.1 rather than "localhost", which a
	// hosts file can point elsewhere.
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the browser's callback on 127.0.0.1: %w", err)
	}
	redirect := "http://" + ln.Addr().String() + path
	state := randomString(32)
	verifier := randomString(32)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])

	got := make(chan callback, 1)
	deliver := func(cb callback) {
		select {
		case got <- cb:
		default: // the first answer decides; later ones are ignored
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprintln(w, "ostui refused this answer: its state does not match the login ostui started. Start the login again.")
			deliver(callback{err: fmt.Errorf("the browser came back with a state ostui did not send; the answer was refused (it may be forged): %w", ErrStateMismatch)})
			return
		}
		if e := q.Get("error"); e != "" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprintln(w, "The login did not complete; see the terminal. You can close this window.")
			deliver(callback{err: &Error{Code: termtext.Safe(e), Description: termtext.Safe(q.Get("error_description"))}})
			return
		}
		code := q.Get("code")
		if code == "" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprintln(w, "The answer carried no code; see the terminal.")
			deliver(callback{err: errors.New("the browser came back without a code")})
			return
		}
		_, _ = fmt.Fprintln(w, "ostui is signed in. You can close this window and return to the terminal.")
		deliver(callback{code: code})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }() // ends with Shutdown below
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {c.ClientID},
		"redirect_uri":          {redirect},
		"state":                 {state},
		"code_challenge":        {challenge},
		"code_challenge_method": {"S256"},
	}
	if len(c.Scopes) > 0 {
		q.Set("scope", strings.Join(c.Scopes, " "))
	}
	authURL := c.Endpoints.AuthURL
	if strings.Contains(authURL, "?") {
		authURL += "&" + q.Encode()
	} else {
		authURL += "?" + q.Encode()
	}
	if err := opts.Open(authURL); err != nil {
		return nil, err
	}

	wait, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var cb callback
	select {
	case cb = <-got:
	case <-wait.Done():
		if ctx.Err() != nil {
			return nil, fmt.Errorf("stopped waiting for the browser: %w", ctx.Err())
		}
		return nil, fmt.Errorf("the browser did not come back within %s; run the login again (or without --web for the device flow)", timeout)
	}
	if cb.err != nil {
		return nil, cb.err
	}
	tok, _, err := c.tokenRequest(ctx, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {cb.code},
		"redirect_uri":  {redirect},
		"client_id":     {c.ClientID},
		"code_verifier": {verifier},
	})
	if err != nil {
		return nil, fmt.Errorf("trade the browser's code for a token: %w", err)
	}
	return tok, nil
}

// OpenBrowser asks the desktop to open u. On a machine without one (no
// DISPLAY or WAYLAND_DISPLAY on Linux, an SSH session) it does not try and
// says so; the caller prints the URL either way.
func OpenBrowser(u string) error {
	// Only an http(s) URL is handed over: the opener would take a file
	// path or a word starting with "-" as something else.
	if pu, err := url.Parse(u); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") {
		return fmt.Errorf("not an http(s) URL: %s", termtext.Safe(u))
	}
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u) //nolint:gosec // a checked http(s) URL as one argument, no shell
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u) //nolint:gosec // as above
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("no desktop session to open a browser in")
		}
		cmd = exec.Command("xdg-open", u) //nolint:gosec // as above
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }() // reap it; its exit status says nothing useful
	return nil
}
