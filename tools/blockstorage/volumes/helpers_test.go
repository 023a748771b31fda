package volumes

import (
	"encoding/json"
	"sort"
	"strconv"
)

func itoa(n int) string { return strconv.Itoa(n) }

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// jsonish turns a Go value into what a JSON decode of it gives (numbers
// as float64), to compare with a body the fake decoded.
func jsonish(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}
