// Package objectstorage is the kernel of the Swift tools: the client, the
// cluster's capabilities from /info, the rules for container and object
// names, one lookup for a container's and an object's headers, sizes and
// durations as people type them. The tools live in containers, objects
// and account; what they share is here, once.
package objectstorage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/internal/secrets"
	"github.com/kriscelmer/os-tui/tools"
)

// Service is the catalog type of Swift.
const Service = "object-store"

// Kinds of resources in Names and errors.
const (
	ContainerKind = "container"
	ObjectKind    = "object"
)

// Client returns a Swift client for the account of the current project.
func Client(ctx context.Context, env *tools.Env) (*gophercloud.ServiceClient, error) {
	c, err := env.Clients.ServiceClient(ctx, Service)
	if err != nil {
		return nil, fmt.Errorf("object storage: %w", err)
	}
	return c, nil
}

// URL returns the URL of a container, or of an object in it, escaped the
// way gophercloud's request builders escape it, for previews.
func URL(c *gophercloud.ServiceClient, container string, object ...string) string {
	parts := []string{url.PathEscape(container)}
	for _, o := range object {
		parts = append(parts, url.PathEscape(o))
	}
	return c.ServiceURL(parts...)
}

// ContainerProblem says why a container name cannot be used, or "".
// Swift reads the first '/' of a path as the end of the container name,
// so a name with one would name a container and an object.
func ContainerProblem(name string, info *Info) string {
	switch {
	case name == "":
		return "a container name must not be empty"
	case strings.Contains(name, "/"):
		return fmt.Sprintf("container name %q contains '/', which Swift reads as the start of an object name; use another character (%q, say)",
			name, strings.ReplaceAll(name, "/", "-"))
	case info != nil && info.Swift.MaxContainerNameLength > 0 && len(name) > info.Swift.MaxContainerNameLength:
		return fmt.Sprintf("container name %q is %d bytes long; this cluster allows at most %d", name, len(name), info.Swift.MaxContainerNameLength)
	}
	return ""
}

// ObjectProblem says why an object name cannot be used for a new object,
// or "". Swift itself takes "..", but a name with a ".." segment would
// climb out of the folder it is later saved into, so ostui makes none.
func ObjectProblem(name string, info *Info) string {
	switch {
	case name == "":
		return "an object name must not be empty"
	case slices.Contains(strings.Split(name, "/"), ".."):
		return fmt.Sprintf("object name %q has a '..' segment, which would climb out of a folder when it is saved; name it without one (--name)", name)
	case info != nil && info.Swift.MaxObjectNameLength > 0 && len(name) > info.Swift.MaxObjectNameLength:
		return fmt.Sprintf("object name %q is %d bytes long; this cluster allows at most %d", name, len(name), info.Swift.MaxObjectNameLength)
	}
	return ""
}

// Block appends a blocking finding when problem is not "".
func Block(chk *tools.Check, problem string) {
	if problem != "" {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: problem})
	}
}

// NotFound maps Swift's 404 to a NotFoundError of kind.
func NotFound(err error, kind, name string) error {
	if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return &tools.NotFoundError{Kind: kind, Name: name}
	}
	return err
}

// IsNotFound reports a NotFoundError.
func IsNotFound(err error) bool {
	var nf *tools.NotFoundError
	return errors.As(err, &nf)
}

// Metadata returns the user metadata in h under prefix
// ("X-Container-Meta-"), keyed as Swift spells the rest of the header.
// Keys that hold a secret (Temp-URL-Key) keep their key but not their value.
// skip lists header names (after the prefix, case-insensitive) that a
// tool shows in fields of their own (Quota-Bytes, CORS).
func Metadata(h http.Header, prefix string, skip ...string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		rest, ok := cutPrefixFold(k, prefix)
		if !ok || len(v) == 0 {
			continue
		}
		if slices.ContainsFunc(skip, func(s string) bool { return strings.EqualFold(s, rest) }) {
			continue
		}
		if secrets.IsSecretKey(rest) {
			out[rest] = secrets.Placeholder
			continue
		}
		out[rest] = v[0]
	}
	return out
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	return s[len(prefix):], true
}

// RedactHeaders returns headers for a preview: a secret header's value
// (a temp-URL key) is replaced, so the review, the audit log and a model
// never see it.
func RedactHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if secrets.IsSecretKey(k) && v != "" {
			v = secrets.Placeholder
		}
		out[k] = v
	}
	return out
}

// HeaderBody is a preview's Body for a request whose content is headers
// (Swift's POST and PUT of metadata): the headers, redacted, by name.
func HeaderBody(h map[string]string) any {
	if len(h) == 0 {
		return nil
	}
	return map[string]any{"headers": RedactHeaders(h)}
}

// SortedKeys returns the keys of m in order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// HumanBytes is a size for a person: "3.2 MiB", "612 bytes". Listings
// give the exact count.
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<40:
		return fmt.Sprintf("%.1f TiB", float64(n)/(1<<40))
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n == 1:
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// Plural is "1 object" or "3 objects".
func Plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// ParseSize reads a size as people type it: "1048576", "512K", "64M",
// "2G", "1T", with an optional "B" or "iB" ("64MiB"); units are powers of
// 1024, as in the swift client.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(t, "B"), "b"), "i")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'k', 'K':
			mult = 1 << 10
		case 'm', 'M':
			mult = 1 << 20
		case 'g', 'G':
			mult = 1 << 30
		case 't', 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:n-1]
		}
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil || v < 0 || v > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size: give bytes, or a number with K, M, G or T (64M)", s)
	}
	return v * mult, nil
}

// ParseDuration reads a duration as people type it: "3600" (seconds),
// "90s", "30m", "1h", "1h30m", "2d", "1w".
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if n, err := strconv.ParseInt(t, 10, 64); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, nil
	}
	for unit, d := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if num, ok := strings.CutSuffix(t, unit); ok {
			if n, err := strconv.ParseInt(num, 10, 64); err == nil && n >= 0 {
				return time.Duration(n) * d, nil
			}
		}
	}
	d, err := time.ParseDuration(t)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration: give seconds, or a number with s, m, h, d or w (1h, 30m, 2d)", s)
	}
	return d, nil
}

// ParseTime reads a point in time: Unix seconds, or RFC 3339
// ("2030-01-02T15:04:05Z", or a date alone, taken as midnight UTC).
func ParseTime(s string) (time.Time, error) {
	t := strings.TrimSpace(s)
	if n, err := strconv.ParseInt(t, 10, 64); err == nil && n > 0 {
		return time.Unix(n, 0).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if v, err := time.Parse(layout, t); err == nil {
			return v.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: give Unix seconds or an RFC 3339 time (2030-01-02T15:04:05Z)", s)
}

// unmarshalInt reads a header value as an integer, 0 when absent or not a number.
func unmarshalInt(h http.Header, key string) int64 {
	n, _ := strconv.ParseInt(h.Get(key), 10, 64)
	return n
}

// jsonInt reads an integer of /info, 0 when absent.
func jsonInt(m map[string]json.RawMessage, key string) int64 {
	var n json.Number
	if err := json.Unmarshal(m[key], &n); err != nil {
		return 0
	}
	v, _ := n.Int64()
	return v
}
