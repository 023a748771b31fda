// Package diagnose is the connectivity diagnosis: given a server and the
// traffic in question (tcp port 22 from some range), it walks the path
// the traffic takes — the server's state, its port, the port's security
// groups and the rule that admits the traffic, port security, the
// floating IP, the subnet's router with its gateway and interface, the
// subnet and the network — and reports each link as passed or failed,
// with the fix as plan steps where a tool can make it.
//
// The rules are deterministic and run over a Path (plain structs read by
// Gather through the engine's read tools), so they are tested without a
// cloud, and the shell, the JSON output and the model's /advise all see
// the same findings.
package diagnose

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kriscelmer/os-tui/internal/netstate"
)

// Query is the traffic asked about.
type Query struct {
	// Server is the server's name or ID.
	Server string
	// Protocol is tcp, udp or icmp.
	Protocol string
	// Port is the destination port (tcp, udp); 0 for icmp.
	Port int
	// From is the source range; "" means anywhere on the internet.
	From string
}

// Normalize checks q and fills defaults: tcp, port 22 for tcp (and udp
// needs one), icmp has none; From becomes a masked range.
func Normalize(q Query) (Query, error) {
	var problems []string
	if strings.TrimSpace(q.Server) == "" {
		problems = append(problems, "name the server to diagnose")
	}
	q.Protocol = strings.ToLower(strings.TrimSpace(q.Protocol))
	switch q.Protocol {
	case "":
		q.Protocol = "tcp"
	case "6":
		q.Protocol = "tcp"
	case "17":
		q.Protocol = "udp"
	case "1", "ping":
		q.Protocol = "icmp"
	}
	switch q.Protocol {
	case "tcp", "udp":
		if q.Port == 0 && q.Protocol == "tcp" {
			q.Port = 22
		}
		if q.Port < 1 || q.Port > 65535 {
			problems = append(problems, fmt.Sprintf("--port %d is not a port (1-65535)", q.Port))
		}
	case "icmp":
		if q.Port != 0 {
			problems = append(problems, "icmp has no ports; leave --port out")
		}
	default:
		problems = append(problems, fmt.Sprintf("--protocol %q: diagnose knows tcp, udp and icmp", q.Protocol))
	}
	if q.From != "" {
		p, err := netstate.ParseRange(q.From)
		if err != nil {
			problems = append(problems, fmt.Sprintf("--from %q is not an address or range like 203.0.113.0/24", q.From))
		} else {
			q.From = p.String()
		}
	}
	if len(problems) > 0 {
		return q, errors.New(strings.Join(problems, "; "))
	}
	return q, nil
}

// Traffic reads as "tcp port 22 from anywhere".
func (q Query) Traffic() string {
	s := q.Protocol
	if q.Protocol == "icmp" {
		s = "ping (icmp)"
	} else {
		s += " port " + strconv.Itoa(q.Port)
	}
	if q.From == "" {
		return s + " from anywhere"
	}
	// One address reads as itself: "from 203.0.113.9", not ".../32".
	return s + " from " + strings.TrimSuffix(strings.TrimSuffix(q.From, "/32"), "/128")
}

// Status is how one link of the path fares.
type Status int

const (
	// Pass: this link lets the traffic through.
	Pass Status = iota
	// Warn: worth a look; it does not stop the traffic by itself.
	Warn
	// Fail: this link stops the traffic.
	Fail
	// Skip: not part of this path (no floating IP needed from inside).
	Skip
)

// Mark is the one-character mark a person reads: ✓ ! ✗ -.
func (s Status) Mark() string {
	switch s {
	case Warn:
		return "!"
	case Fail:
		return "✗"
	case Skip:
		return "-"
	}
	return "✓"
}

// String is the word used in JSON: pass, warn, fail, skip.
func (s Status) String() string {
	switch s {
	case Warn:
		return "warn"
	case Fail:
		return "fail"
	case Skip:
		return "skip"
	}
	return "pass"
}

// Step is one step of a fix: a tool call, which may refer to an earlier
// step of the same fix as ${id.field}.
type Step struct {
	ID   string         `json:"id"`
	Tool string         `json:"tool"`
	Args map[string]any `json:"args"`
	Why  string         `json:"why,omitempty"`
}

// Finding is one link of the path.
type Finding struct {
	// Check names the link: "server", "port", "security group", ...
	Check  string
	Status Status
	// Text says what was found, in a sentence.
	Text string
	// Fix are the steps that mend a failed link; empty when no tool can.
	Fix []Step
	// Hint says what to do when no tool can mend it.
	Hint string
}
