package render

import (
	"strings"

	"github.com/kriscelmer/os-tui/internal/iostreams"
)

// statusTone groups OpenStack status values by what they mean to the
// person reading: fine, broken, or on the way somewhere.
type statusTone int

const (
	toneNone statusTone = iota
	toneGood
	toneBad
	toneBusy
)

// Statuses are matched case-insensitively: services disagree on case
// (Nova says ACTIVE, Cinder says available, Neutron says ACTIVE and UP).
var (
	goodStatuses = map[string]bool{
		"active": true, "available": true, "in-use": true, "up": true,
		"enabled": true, "ok": true, "online": true, "true": true,
	}
	badStatuses = map[string]bool{
		"error": true, "down": true, "killed": true, "failed": true,
		"deleted": true, "soft_deleted": true, "crashed": true, "fault": true,
	}
	busyStatuses = map[string]bool{
		"build": true, "rebuild": true, "reboot": true, "hard_reboot": true,
		"resize": true, "verify_resize": true, "revert_resize": true,
		"password": true, "rescue": true, "shutoff": true, "paused": true,
		"suspended": true, "stopped": true, "queued": true, "pending": true,
		"reserved": true, "maintenance": true, "migrating": true,
		"downloading": true, "uploading": true, "saving": true,
		"importing": true, "attaching": true, "detaching": true,
	}
)

func toneOf(status string) statusTone {
	s := strings.ToLower(strings.TrimSpace(status))
	switch {
	case s == "":
		return toneNone
	case goodStatuses[s]:
		return toneGood
	// error_deleting, error_restoring, ...: the error matters more than
	// the action in progress, so these are red, not yellow.
	case badStatuses[s], strings.HasPrefix(s, "error"), strings.HasSuffix(s, "_failed"),
		strings.HasSuffix(s, "_error"):
		return toneBad
	case busyStatuses[s], strings.HasSuffix(s, "ing"), strings.HasPrefix(s, "shelved"),
		strings.HasPrefix(s, "pending_"):
		return toneBusy
	}
	return toneNone
}

// colorStatus colours one line of a status cell.
func colorStatus(cs *iostreams.ColorScheme, tone statusTone, s string) string {
	switch tone {
	case toneGood:
		return cs.Green(s)
	case toneBad:
		return cs.Red(s)
	case toneBusy:
		return cs.Yellow(s)
	}
	return s
}

// Tone says how a status reads to a person: "good" (green), "bad" (red),
// "busy" (yellow) or "" (uncoloured). Full-screen views colour statuses
// by it, so a view and a table never disagree.
func Tone(status string) string {
	switch toneOf(status) {
	case toneGood:
		return "good"
	case toneBad:
		return "bad"
	case toneBusy:
		return "busy"
	}
	return ""
}
