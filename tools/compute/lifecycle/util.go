package lifecycle

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		// Only plain structs of strings are marshalled here.
		panic(err)
	}
	return b
}

func header(resp *http.Response) http.Header {
	if resp == nil {
		return nil
	}
	return resp.Header
}

func requestIDs(h http.Header) []string {
	if id := h.Get("X-Openstack-Request-Id"); id != "" {
		return []string{id}
	}
	return nil
}

// atLeast reports whether microversion v ("2.79") is at least min. An
// empty or malformed v is not.
func atLeast(v, minV string) bool {
	vMaj, vMin, ok := splitMicroversion(v)
	mMaj, mMin, ok2 := splitMicroversion(minV)
	if !ok || !ok2 {
		return false
	}
	return vMaj > mMaj || (vMaj == mMaj && vMin >= mMin)
}

func splitMicroversion(v string) (major, minor int, ok bool) {
	a, b, found := strings.Cut(v, ".")
	if !found {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(a)
	minor, err2 := strconv.Atoi(b)
	return major, minor, err1 == nil && err2 == nil
}
