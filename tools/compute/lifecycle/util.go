package lifecycle

import (
	"encoding/json"
	"net/http"
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
