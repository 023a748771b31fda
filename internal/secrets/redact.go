package secrets

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// unparseable is what Redact returns for a document it cannot read: a
// document it cannot walk might hide a secret anywhere, so none of it is
// passed on.
var unparseable = json.RawMessage(`"<unparseable, redacted>"`)

// Redact returns a copy of the JSON document v in which the values of
// secret keys (see IsSecretKey), of "key" fields holding a PEM block, and
// any string holding a PEM private key are replaced by "<redacted>", at any
// depth. A string that is itself a JSON object or array (Keystone's
// credential "blob", for one) is redacted inside too.
//
// Everything else keeps its value (numbers keep their exact text); key
// order and whitespace may change. Empty input yields nil; input that is
// not one valid JSON value yields the JSON string "<unparseable, redacted>".
// v is never modified.
func Redact(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return nil
	}
	doc, err := decode(v)
	if err != nil {
		return append(json.RawMessage(nil), unparseable...)
	}
	doc, _ = walk(doc)
	out, err := encode(doc)
	if err != nil {
		// Cannot happen for values produced by decode; fail closed anyway.
		return append(json.RawMessage(nil), unparseable...)
	}
	return out
}

// decode reads exactly one JSON value, keeping numbers as written.
func decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	// Trailing data ("{} {}") means the input is not one document.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after JSON value")
	}
	return doc, nil
}

// encode writes doc without HTML escaping, so "<redacted>" stays readable
// (and greppable) instead of becoming "\u003credacted\u003e".
func encode(doc any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// walk returns doc with secrets replaced, and whether anything changed
// (so that nested JSON strings are re-encoded only when they had to be).
func walk(doc any) (any, bool) {
	switch x := doc.(type) {
	case map[string]any:
		changed := false
		for k, val := range x {
			if secretField(k, val) {
				x[k] = Placeholder
				changed = true
				continue
			}
			nv, c := walk(val)
			if c {
				x[k] = nv
				changed = true
			}
		}
		return x, changed
	case []any:
		changed := false
		for i, val := range x {
			nv, c := walk(val)
			if c {
				x[i] = nv
				changed = true
			}
		}
		return x, changed
	case string:
		return walkString(x)
	default:
		return doc, false
	}
}

// secretField reports whether the value under key k must be hidden whole.
func secretField(k string, val any) bool {
	if IsSecretKey(k) {
		return true
	}
	if strings.EqualFold(k, "key") {
		s, ok := val.(string)
		return ok && looksLikePEM(s)
	}
	return false
}

// walkString hides a string holding a private key, and redacts inside a
// string that is a JSON object or array.
func walkString(s string) (any, bool) {
	if hasPrivateKey(s) {
		return Placeholder, true
	}
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return s, false
	}
	inner, err := decode([]byte(t))
	if err != nil {
		return s, false
	}
	inner, changed := walk(inner)
	if !changed {
		return s, false
	}
	out, err := encode(inner)
	if err != nil {
		return Placeholder, true
	}
	return string(out), true
}
