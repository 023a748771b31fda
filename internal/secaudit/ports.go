package secaudit

import (
	"fmt"
	"strconv"
	"strings"
)

// ParsePorts reads a port range as the openstack CLI and neutron write
// it: "22", "22:22", "8000:8080" or "8000-8080". hi is nil for a single
// number.
func ParsePorts(s string) (lo int, hi *int, err error) {
	s = strings.TrimSpace(s)
	a, b, two := strings.Cut(s, ":")
	if !two {
		a, b, two = strings.Cut(s, "-")
	}
	lo, err = port(a)
	if err != nil {
		return 0, nil, fmt.Errorf("port range %q: %w", s, err)
	}
	if !two {
		return lo, nil, nil
	}
	h, err := port(b)
	if err != nil {
		return 0, nil, fmt.Errorf("port range %q: %w", s, err)
	}
	if h < lo {
		return 0, nil, fmt.Errorf("port range %q: the first port is above the last", s)
	}
	return lo, &h, nil
}

func port(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 65535 {
		return 0, fmt.Errorf("%q is not a port number (0-65535)", s)
	}
	return n, nil
}
