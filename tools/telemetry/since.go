package telemetry

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseSince reads how far back to look, as people type it: "90s",
// "30m", "1h", "1h30m", "2d", "1w", or a number of seconds.
func ParseSince(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("--since is empty; give a duration such as 1h, 30m or 2d")
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 {
			return 0, fmt.Errorf("--since %s: give a positive duration such as 1h, 30m or 2d", s)
		}
		return time.Duration(n) * time.Second, nil
	}
	// Days and weeks, which time.ParseDuration does not know, lead.
	var total time.Duration
	rest := s
	for _, u := range []struct {
		suffix string
		d      time.Duration
	}{{"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}} {
		if i := strings.Index(rest, u.suffix); i > 0 {
			n, err := strconv.Atoi(rest[:i])
			if err != nil {
				return 0, fmt.Errorf("--since %s is not a duration; give one such as 1h, 30m, 2d or 1w", s)
			}
			total += time.Duration(n) * u.d
			rest = rest[i+1:]
		}
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("--since %s is not a duration; give one such as 1h, 30m, 2d or 1w", s)
		}
		total += d
	}
	if total <= 0 {
		return 0, fmt.Errorf("--since %s: give a positive duration such as 1h, 30m or 2d", s)
	}
	return total, nil
}

// ParseStart reads an absolute start or stop time: RFC 3339, or a date
// and time without a zone (UTC), as the openstack CLI's --start takes.
func ParseStart(s string) (time.Time, error) {
	for _, l := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read the time %q; give it as 2026-01-31T12:00:00Z, or use --since 1h", s)
}
