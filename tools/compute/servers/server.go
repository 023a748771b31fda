package servers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
)

// Server is what the change tools read of a server (at Microversion):
// the state Nova's rules look at and the few parts single verbs need.
// One type for every verb, so a rule is written once.
type Server struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	TaskState    string `json:"OS-EXT-STS:task_state"`
	Locked       bool   `json:"locked"`
	LockedReason string `json:"locked_reason"`
	Zone         string `json:"OS-EXT-AZ:availability_zone"`
	ProjectID    string `json:"tenant_id"`
	// Metadata are the server's properties.
	Metadata map[string]string `json:"metadata"`
	Tags     []string          `json:"tags"`
	Volumes  []AttachedVolume  `json:"os-extended-volumes:volumes_attached"`
	Flavor   EmbeddedFlavor    `json:"flavor"`
	// Image is {"id": ...} for a server booted from an image and "" for
	// one booted from a volume; ImageID reads it.
	Image json.RawMessage `json:"image"`
}

// AttachedVolume is one volume attachment as a server lists it.
type AttachedVolume struct {
	ID                  string `json:"id"`
	DeleteOnTermination bool   `json:"delete_on_termination"`
}

// EmbeddedFlavor is the flavor a server carries from microversion 2.47:
// a copy of the flavor's sizes under its original name, without its ID.
type EmbeddedFlavor struct {
	OriginalName string `json:"original_name"`
	VCPUs        int    `json:"vcpus"`
	RAM          int    `json:"ram"`
	Disk         int    `json:"disk"`
}

// Get finds one server by ID or exact name. A name shared by several
// servers is a *tools.AmbiguousError listing them; no match is a
// *tools.NotFoundError.
func Get(ctx context.Context, env *tools.Env, nameOrID string) (*Server, error) {
	var s Server
	if err := Find(ctx, env, nameOrID, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// ImageID returns the ID of the image the server was booted from, or ""
// when it was booted from a volume.
func (s *Server) ImageID() string {
	id, _ := imageID(s.Image)
	return id
}

// Target is the server as a step's target.
func (s *Server) Target() tools.Target { return tools.Target{Kind: Kind, ID: s.ID, Name: s.Name} }

// Describe says what state the server is in: "server web-1 is ACTIVE".
func (s *Server) Describe() string { return fmt.Sprintf("server %s is %s", s.Name, s.Status) }

// LockedText says the server is locked (with the reason) and how to
// unlock it.
func (s *Server) LockedText() string {
	msg := fmt.Sprintf("server %s is locked", s.Name)
	if s.LockedReason != "" {
		msg += fmt.Sprintf(" (%q)", s.LockedReason)
	}
	return msg + "; unlock it first with /server unlock " + s.Name
}

// State fingerprints what Nova's rules look at; a change between
// approval and run shows the plan again. Verbs that depend on more add
// it to the end.
func (s *Server) State() string {
	return fmt.Sprintf("status=%s task=%s locked=%t", s.Status, s.TaskState, s.Locked)
}

// Rule is what a verb needs of a server's state.
type Rule struct {
	// Verb names the action in findings: "stop", "hard reboot",
	// "attaching a volume".
	Verb string
	// From are the statuses (Nova's "status" field) the verb may start
	// from; nil means any.
	From []string
	// BusyOK are the task states that do not stop the verb (a hard
	// reboot is the way out of a soft reboot that hangs).
	BusyOK []string
}

// Allows applies Nova's state rules for r: the server must be idle (or
// busy only with a task in BusyOK), in a status r starts from, and
// unlocked. The first finding is about the state (a Block, or the Info
// of Describe when the state allows the verb); a Block about the lock
// follows when the server is locked.
func (s *Server) Allows(r Rule) []tools.Finding {
	var out []tools.Finding
	switch {
	case s.TaskState != "" && !slices.Contains(r.BusyOK, s.TaskState):
		out = append(out, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("%s and busy (%s); wait until the task finishes", s.Describe(), s.TaskState)})
	case r.From != nil && !slices.Contains(r.From, s.Status):
		out = append(out, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("%s; %s needs it to be %s", s.Describe(), r.Verb, strings.Join(r.From, " or "))})
	default:
		out = append(out, tools.Finding{Level: tools.Info, Text: s.Describe()})
	}
	if s.Locked {
		out = append(out, tools.Finding{Level: tools.Block, Text: s.LockedText()})
	}
	return out
}

// Refusals are the Block findings of Allows alone, for verbs whose
// preflight describes the server in its own words.
func (s *Server) Refusals(r Rule) []tools.Finding {
	var out []tools.Finding
	for _, f := range s.Allows(r) {
		if f.Level == tools.Block {
			out = append(out, f)
		}
	}
	return out
}

// subject tells ChangeTool which argument names the server a step acts
// on, so a server made by an earlier step is noted rather than looked up.
func subject(server string) (kind, nameOrID string) { return Kind, server }

// sortedKeys returns a map's keys in order, for stable previews.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
