package tools

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"sync"

	"github.com/gophercloud/gophercloud/v2"
)

// JSON marshals v into Args, for the Resolved arguments of a Check and
// the arguments of an undo Call. It is for values that always marshal
// (structs, maps and slices of strings, numbers and booleans) and panics
// on anything else, which is a programming error.
func JSON(v any) Args {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// resolvedArgs returns the arguments chk resolved (names made IDs),
// decoded into T, so that a Preview shows the requests Run will send; it
// returns args as they are when there is no Check or it resolved nothing
// (a dry run without a preflight). ChangeTool calls it for every Preview,
// so no tool needs to.
func resolvedArgs[T any](chk *Check, args T) (T, error) {
	if chk == nil || chk.Resolved == nil {
		return args, nil
	}
	return Decode[T](chk.Resolved)
}

// RequestIDHeader is the header in which OpenStack services return the ID
// of the request they served.
const RequestIDHeader = "X-Openstack-Request-Id"

// HeaderRequestIDs returns the request ID in h (a gophercloud result's
// Header, say) as a one-element slice, or nil when h has none.
func HeaderRequestIDs(h http.Header) []string {
	if id := h.Get(RequestIDHeader); id != "" {
		return []string{id}
	}
	return nil
}

// RequestIDs returns the request ID of a raw client call: from resp, or,
// when there is no response, from the gophercloud.ErrUnexpectedResponseCode
// in err that carries its headers. nil when neither has one.
func RequestIDs(resp *http.Response, err error) []string {
	var h http.Header
	if resp != nil {
		h = resp.Header
	}
	var unexpected gophercloud.ErrUnexpectedResponseCode
	if h == nil && errors.As(err, &unexpected) {
		h = unexpected.ResponseHeader
	}
	return HeaderRequestIDs(h)
}

var uuidPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)
})

// IsUUID reports whether s has the shape of an OpenStack ID: 32 hex
// digits, with or without the dashes of a UUID. Only such strings are
// worth a GET by ID; anything else can only be a name.
func IsUUID(s string) bool { return uuidPattern().MatchString(s) }
