package audit

import (
	"encoding/json"
	"time"
)

// Record is one line of the audit log.
type Record struct {
	Time   time.Time `json:"time"`
	Event  string    `json:"event"` // "plan", "approval", "step", "undo", "denied"
	PlanID string    `json:"plan_id"`
	Origin string    `json:"origin,omitempty"` // "slash", "model", "recipe", "mcp"
	Goal   string    `json:"goal,omitempty"`
	Step   string    `json:"step,omitempty"` // step ID
	Tool   string    `json:"tool,omitempty"`
	Effect string    `json:"effect,omitempty"`
	// Args are the step's arguments; Append always passes them through
	// secrets.Redact, whatever the caller did.
	Args       json.RawMessage `json:"args,omitempty"`
	Approval   string          `json:"approval,omitempty"` // "keyboard", "step-by-step", "session-grant", "--yes"
	Result     string          `json:"result,omitempty"`   // "ok", "failed", "cancelled", "skipped", "wait-stopped"
	Error      string          `json:"error,omitempty"`
	RequestIDs []string        `json:"request_ids,omitempty"`
	DurationMS int64           `json:"duration_ms,omitempty"`
	Cloud      string          `json:"cloud,omitempty"`
	Project    string          `json:"project,omitempty"`
	User       string          `json:"user,omitempty"`
	Region     string          `json:"region,omitempty"`
	Targets    []string        `json:"targets,omitempty"` // "server web-1 (id)"
	// Note says why a step did nothing: "net: network h-rec-net already
	// exists — nothing to do" (result "held").
	Note string `json:"note,omitempty"`
}

// Event names.
const (
	EventPlan     = "plan"
	EventApproval = "approval"
	EventStep     = "step"
	EventUndo     = "undo"
	EventDenied   = "denied"
)
