package gate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
)

// Mode is how much the shell may do without asking.
type Mode string

// Modes (see /mode).
const (
	// ModeAsk answers questions only: plans that change anything are refused.
	ModeAsk Mode = "ask"
	// ModePlan is the default: every change asks.
	ModePlan Mode = "plan"
	// ModeParanoid: even reads ask before their data goes to a model.
	ModeParanoid Mode = "paranoid"
)

// Modes lists every mode, for help and completion.
func Modes() []Mode { return []Mode{ModeAsk, ModePlan, ModeParanoid} }

// ErrAutoReadRemoved answers /mode auto-read. The mode behaved exactly as
// plan does (reads never ask there either), so it was removed rather than
// kept as a second name that suggests a difference; the error says which
// mode to use instead.
var ErrAutoReadRemoved = errors.New("auto-read was removed: plan mode already runs reads without asking; paranoid asks before a read's data goes to the model")

// ParseMode reads a mode name.
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes() {
		if string(m) == s {
			return m, nil
		}
	}
	if s == "auto-read" {
		return "", ErrAutoReadRemoved
	}
	names := make([]string, 0, len(Modes()))
	for _, m := range Modes() {
		names = append(names, string(m))
	}
	return "", fmt.Errorf("unknown mode %q; modes are: %s", s, strings.Join(names, ", "))
}

// ModeError is a plan refused by the mode.
type ModeError struct {
	Mode Mode
	Tool *tools.Tool
	// Locked: the session was started read-only (--read-only), so no
	// /mode can lift it.
	Locked bool
}

func (e *ModeError) Error() string {
	if e.Locked {
		return fmt.Sprintf("%s would change the cloud, and this session was started with --read-only; start ostui without it to make changes", e.Tool.Slash())
	}
	return fmt.Sprintf("%s would change the cloud, and the shell is in %s mode (read-only); switch with /mode plan", e.Tool.Slash(), e.Mode)
}

// Allow reports whether a mode lets a review's changes be proposed.
func (m Mode) Allow(r *Review) error {
	if m != ModeAsk {
		return nil
	}
	for _, s := range r.Steps {
		if s.Tool.Effect != tools.Read {
			return &ModeError{Mode: m, Tool: s.Tool}
		}
	}
	return nil
}
