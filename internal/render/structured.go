package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/tools"
)

// object is a JSON/YAML mapping that keeps its keys in column order;
// Go maps would sort them.
type object struct {
	keys []string
	vals []any
}

func listObjects(v *view) []object {
	out := make([]object, len(v.rows))
	for r, row := range v.rows {
		o := object{keys: make([]string, len(v.cols)), vals: make([]any, len(v.cols))}
		for i, c := range v.cols {
			o.keys[i] = c.Name
			o.vals[i] = machineValue(v.cell(row, i))
		}
		out[r] = o
	}
	return out
}

func recordObject(fields []tools.Field) object {
	o := object{keys: make([]string, len(fields)), vals: make([]any, len(fields))}
	for i, f := range fields {
		o.keys[i] = f.Name
		o.vals[i] = machineValue(f.Value)
	}
	return o
}

// machineValue prepares a value for json/yaml: an absent list is an empty
// array, not null, so scripts can iterate without a check.
func machineValue(v any) any {
	switch x := v.(type) {
	case []string:
		if x == nil {
			return []string{}
		}
	case map[string]string:
		if x == nil {
			return map[string]string{}
		}
	}
	return v
}

// MarshalJSON writes the keys in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := encodeJSON(&b, k); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := encodeJSON(&b, o.vals[i]); err != nil {
			return nil, fmt.Errorf("field %q: %w", k, err)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// encodeJSON encodes without HTML escaping: this is terminal and script
// output, where "<none>" should read as "<none>", not "\u003cnone\u003e".
func encodeJSON(w *bytes.Buffer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.Truncate(w.Len() - 1) // Encode appends a newline
	return nil
}

// writeJSON pretty-prints v with two-space indent, as the openstack CLI does.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// MarshalYAML builds a mapping node with the keys in order.
func (o object) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i, k := range o.keys {
		var kn, vn yaml.Node
		if err := kn.Encode(k); err != nil {
			return nil, err
		}
		if err := vn.Encode(o.vals[i]); err != nil {
			return nil, fmt.Errorf("field %q: %w", k, err)
		}
		n.Content = append(n.Content, &kn, &vn)
	}
	return n, nil
}

func writeYAML(w io.Writer, v any) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return enc.Close()
}
