package secrets

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzCanary marks a secret planted by FuzzRedact; it must never survive.
const fuzzCanary = "FUZZ-CANARY-9c1e"

// fuzzKeys are secret keys in assorted spellings, picked by the fuzzer when
// its own key is not a secret one.
var fuzzKeys = []string{
	"password", "Password", "adminPass", "X-Auth-Token", "x_subject_token",
	"private-key", "user_data", "application_credential_secret",
	"X-Container-Meta-Temp-URL-Key", "original_password",
}

// FuzzRedact checks that Redact never panics, always returns JSON, and
// never lets a value planted under a secret key through, wherever the
// fuzzed document puts it.
func FuzzRedact(f *testing.F) {
	// The seed corpus lives in testdata/fuzz/FuzzRedact; this one keeps the
	// fuzzer useful even if that directory is pruned.
	f.Add([]byte(`{"a":[{"b":1}]}`), "token", uint8(0))
	f.Fuzz(func(t *testing.T, doc []byte, key string, pick uint8) {
		out := Redact(doc)
		if len(doc) > 0 && !json.Valid(out) {
			t.Fatalf("Redact(%q) = %q, not JSON", doc, out)
		}
		// A document that carries the canary as an ordinary value (maybe
		// spelled with escapes) would make the check below meaningless.
		if !json.Valid(doc) || strings.Contains(string(out), fuzzCanary) {
			return
		}
		if !utf8.ValidString(key) || !IsSecretKey(key) {
			key = fuzzKeys[int(pick)%len(fuzzKeys)]
		}
		k, _ := json.Marshal(key) // cannot fail for a valid UTF-8 string
		planted := []string{
			`{` + string(k) + `:"` + fuzzCanary + `","doc":` + string(doc) + `}`,
			`[` + string(doc) + `,{"x":{` + string(k) + `:["` + fuzzCanary + `"]}}]`,
			`{"blob":` + quoteJSON(`{`+string(k)+`:"`+fuzzCanary+`"}`) + `,"doc":` + string(doc) + `}`,
		}
		for _, p := range planted {
			got := Redact(json.RawMessage(p))
			if strings.Contains(string(got), fuzzCanary) {
				t.Fatalf("canary under %q survived Redact(%s) = %s", key, p, got)
			}
		}
	})
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
