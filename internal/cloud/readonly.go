package cloud

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

type readOnlyKey struct{}

// WithReadOnly marks a context so that every request made with it may
// only read: the gate runs preflight and dry-run under it, so a bug in a
// tool's Check or Preview cannot change the cloud.
func WithReadOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, readOnlyKey{}, true)
}

// IsReadOnly reports whether ctx was marked by WithReadOnly.
func IsReadOnly(ctx context.Context) bool {
	v, _ := ctx.Value(readOnlyKey{}).(bool)
	return v
}

// ReadOnlyError is returned for a request that would write while the
// context is read-only.
type ReadOnlyError struct {
	Method, URL string
}

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("refused %s %s: preflight and dry-run may only read", e.Method, e.URL)
}

// ReadOnlyTransport refuses any request other than GET and HEAD made with
// a read-only context. Authentication (POST .../auth/tokens) is let
// through: logging in changes nothing in the cloud, and a preflight may be
// the first call of a session.
func ReadOnlyTransport(next http.RoundTripper) http.RoundTripper {
	return readOnlyTransport{next: next}
}

type readOnlyTransport struct{ next http.RoundTripper }

func (t readOnlyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	login := req.Method == http.MethodPost && strings.HasSuffix(strings.TrimSuffix(req.URL.Path, "/"), "/auth/tokens")
	dryRun := isHeatDryRun(req.Context()) && heatDryRun(req.Method, req.URL.Path)
	if IsReadOnly(req.Context()) && req.Method != http.MethodGet && req.Method != http.MethodHead && !login && !dryRun {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, &ReadOnlyError{Method: req.Method, URL: redactURL(req.URL)}
	}
	return t.next.RoundTrip(req)
}

type heatDryRunKey struct{}

// WithHeatDryRun marks the context of one of Heat's requests that compute
// an answer and store nothing (template validate, stack and update
// preview). The read-only transport lets such a request through only with
// this mark AND a path that is one of the three: the path alone would also
// match other services' writes (Swift's POST /v1/AUTH_x/validate sets the
// metadata of a container named "validate").
func WithHeatDryRun(ctx context.Context) context.Context {
	return context.WithValue(ctx, heatDryRunKey{}, true)
}

func isHeatDryRun(ctx context.Context) bool {
	v, _ := ctx.Value(heatDryRunKey{}).(bool)
	return v
}

// heatDryRun reports Heat's three requests that compute an answer and
// store nothing: template validate (POST /v1/{project}/validate), stack
// preview (POST /v1/{project}/stacks/preview) and update preview (PUT or
// PATCH /v1/{project}/stacks/{name}/{id}/preview). A stack's preflight is
// Heat's own validation, which only these give; the paths are matched
// whole, after Heat's version segment, so no other write slips through.
func heatDryRun(method, path string) bool {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	v := -1
	for i, s := range segs {
		if s == "v1" {
			v = i
		}
	}
	if v < 0 || len(segs) < v+3 {
		return false
	}
	rest := segs[v+2:] // after v1/{project}
	switch {
	case len(rest) == 1 && rest[0] == "validate":
		return method == http.MethodPost
	case len(rest) == 2 && rest[0] == "stacks" && rest[1] == "preview":
		return method == http.MethodPost
	case len(rest) == 4 && rest[0] == "stacks" && rest[3] == "preview":
		return method == http.MethodPut || method == http.MethodPatch
	}
	return false
}
