// Package planner is the model loop: it offers the model the read tools
// as functions and one propose_plan function for changes, runs the reads
// it asks for (through the gate's read path), hands proposed plans to the
// shell (which takes them through the gate and the person's approval),
// and feeds every outcome back as a structured result. It never runs a
// change itself and never holds a cloud client.
package planner

import (
	"github.com/kriscelmer/os-tui/internal/secrets"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/tools"
)

// Statuses of a call's result, as the model sees them.
const (
	StatusOK      = "ok"
	StatusDenied  = "denied"
	StatusInvalid = "invalid"
	StatusBlocked = "blocked"
	StatusFailed  = "failed"
	// StatusRefused marks a call the shell refused by rule (too many
	// calls, a function the mode does not offer); unlike a person's
	// denial it does not stop the rest of the batch.
	StatusRefused = "refused"
)

// Outcome is what became of a proposed plan.
type Outcome struct {
	Status    string
	Retryable bool
	Errors    []string
	// Summary says what ran, for the model ("server web-1 stopped").
	Summary string
}

// Hooks connect the planner to the shell.
type Hooks struct {
	// Read runs a read tool through the gate's read path.
	Read func(ctx context.Context, tool string, args tools.Args) (*tools.Result, error)
	// Propose takes a model's plan through the gate and the person.
	Propose func(ctx context.Context, p *plan.Plan) Outcome
	// Text receives the answer as it streams; nil drops it.
	Text func(delta string)
	// AllowRead, when set (paranoid mode), asks before a read's data goes
	// to the model.
	AllowRead func(tool string, args tools.Args) bool
	// Calling, when set, is told of each tool call before it runs, so the
	// person sees what the model reads.
	Calling func(tool string, args tools.Args)
	// SaveFile writes what compose mode produced (a recipe or a Heat
	// template) after validating it; it is offered only in compose mode.
	SaveFile func(ctx context.Context, kind, path, content string) Outcome
}

// SaveFileFunction is compose mode's one way to produce something.
const SaveFileFunction = "save_file"

// saveFileFunction describes save_file to the model.
func saveFileFunction() llm.Function {
	return llm.Function{
		Name:        SaveFileFunction,
		Description: "Save a recipe (an ostui plan in YAML: goal, params, steps of {id, tool, args, why}; ${param.NAME} fills parameters, ${step.field} refers to earlier outputs) or a Heat template (HOT YAML) to a new file in the current directory. It is validated, not run.",
		Parameters:  json.RawMessage(`{"type":"object","additionalProperties":false,"required":["kind","path","content"],"properties":{"kind":{"type":"string","enum":["recipe","heat"]},"path":{"type":"string","description":"a new file name in the current directory, e.g. web.yaml"},"content":{"type":"string","description":"the whole file"}}}`),
	}
}

// Planner runs turns.
type Planner struct {
	LLM      llm.Client
	Registry *tools.Registry
	// Offered reports whether a service is in the catalog; nil: all.
	Offered func(service string) bool
	// MaxCorrections bounds the rounds in which an invalid plan goes back
	// to the model (default 3); then the person is told.
	MaxCorrections int
	// MaxCalls bounds model requests in one turn (default 12).
	MaxCalls int
	// MaxCallsPerReply bounds the tool calls run from one model reply
	// (default 8), and MaxCallsPerTurn those run in one turn (default
	// 32). A model that asks for hundreds of reads at once would
	// otherwise hammer the cloud and flood its own context; the calls
	// past a bound are not run, and each still gets a refused result,
	// since every tool_call_id must be answered.
	MaxCallsPerReply int
	MaxCallsPerTurn  int
	// ResultBudget is the characters of one tool result the model sees
	// (default 6000); the rest is cut with a "narrow your query" note.
	ResultBudget int
}

// Session is a conversation: its messages and what it has cost.
type Session struct {
	Messages []llm.Message
	Usage    llm.Usage
	// LastTurn is the usage of the latest turn.
	LastTurn llm.Usage
}

// ErrTooManyCorrections ends a turn whose plans kept failing validation.
var ErrTooManyCorrections = errors.New("the model's plans kept failing validation; nothing was changed — try rephrasing, or use a slash command")

// Turn answers one request of the person. system is the current mode's
// system prompt; it replaces the session's first message on every turn.
// Modes "ask" and "advise" offer no way to propose changes.
func (p *Planner) Turn(ctx context.Context, s *Session, system, mode, text string, h Hooks) error {
	setSystem(s, system)
	// What the person typed may hold a secret (a pasted key, "--property
	// Temp-URL-Key=..."): the model never needs one, so it gets the same
	// redaction as everything else that reaches it.
	s.Messages = append(s.Messages, llm.Message{Role: llm.RoleUser, Content: secrets.RedactString(text)})
	fns := ModelFunctions(p.Registry, p.Offered)
	switch {
	case readOnlyMode(mode):
		fns = readOnly(fns)
	case mode == "compose":
		// Compose writes files; it changes nothing in the cloud. Without
		// propose_plan, describe_tool carries the list of change tools.
		fns = append(readOnly(fns), saveFileFunction())
		fns = append(fns, describeOnly(Functions(p.Registry, p.Offered))...)
	}
	offered := map[string]bool{}
	for _, f := range fns {
		offered[f.Name] = true
	}
	s.LastTurn = llm.Usage{}
	corrections, ran := 0, 0
	for call := 0; call < p.maxCalls(); call++ {
		resp, err := p.LLM.Complete(ctx, llm.Request{Messages: s.Messages, Functions: fns}, h.Text)
		if err != nil {
			return fmt.Errorf("ask the model: %w", err)
		}
		s.Usage.PromptTokens += resp.Usage.PromptTokens
		s.Usage.CompletionTokens += resp.Usage.CompletionTokens
		s.LastTurn.PromptTokens += resp.Usage.PromptTokens
		s.LastTurn.CompletionTokens += resp.Usage.CompletionTokens
		s.Messages = append(s.Messages, llm.Message{Role: llm.RoleAssistant, Content: resp.Content, ToolCalls: resp.ToolCalls})
		if len(resp.ToolCalls) == 0 {
			return nil
		}
		denied := false
		for i, tc := range resp.ToolCalls {
			var result string
			switch {
			case denied:
				// Every call of a batch gets an answer; after a denial the
				// rest are not run.
				result = Status(StatusDenied, false, []string{"not run: the person declined an earlier call in this batch"})
			case i >= p.maxCallsPerReply():
				result = Status(StatusRefused, false, []string{fmt.Sprintf("too many calls in one reply: at most %d run; ask for fewer, narrower reads", p.maxCallsPerReply())})
			case ran >= p.maxCallsPerTurn():
				result = Status(StatusRefused, false, []string{fmt.Sprintf("too many calls in one turn: at most %d run; answer with what you have, or ask the person to narrow the question", p.maxCallsPerTurn())})
			default:
				ran++
				var status string
				special := tc.Name == ProposePlanFunction || tc.Name == DescribeToolFunction || tc.Name == SaveFileFunction || tc.Name == ReadToolFunction
				if special && !offered[tc.Name] {
					// Only what was offered may be called: a model that names
					// propose_plan in ask or compose mode is refused by rule.
					result, status = Status(StatusDenied, false, []string{fmt.Sprintf("%s is not available in %s mode", tc.Name, mode)}), StatusRefused
				} else {
					result, status = p.call(ctx, tc, mode, h)
				}
				switch status {
				case StatusDenied:
					denied = true
				case StatusInvalid:
					corrections++
				}
			}
			s.Messages = append(s.Messages, llm.Message{Role: llm.RoleTool, ToolCallID: tc.ID, Content: result})
		}
		if corrections > p.maxCorrections() {
			return ErrTooManyCorrections
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return fmt.Errorf("the model made %d requests without finishing; stopped", p.maxCalls())
}

// call runs one tool call and returns its result text and status.
func (p *Planner) call(ctx context.Context, tc llm.ToolCall, mode string, h Hooks) (string, string) {
	args := tools.Args(strings.TrimSpace(tc.Arguments))
	if len(args) == 0 {
		args = tools.Args("{}")
	}
	if !json.Valid(args) {
		return Status(StatusInvalid, true, []string{"the arguments are not valid JSON"}), StatusInvalid
	}
	switch tc.Name {
	case ProposePlanFunction:
		if readOnlyMode(mode) {
			// The shell refused, not the person: the rest of the batch runs.
			return Status(StatusDenied, false, []string{fmt.Sprintf("the shell is in %s mode: changes are not allowed", mode)}), StatusRefused
		}
		var pl plan.Plan
		if err := json.Unmarshal(args, &pl); err != nil {
			return Status(StatusInvalid, true, []string{"propose_plan takes {goal, steps:[{id, tool, args, why}]}: " + err.Error()}), StatusInvalid
		}
		// The origin is a fact about who asked, not the model's to set.
		pl.Origin, pl.ID = plan.OriginModel, plan.NewID()
		// Credentials and scope are never the model's to redirect.
		for _, st := range pl.Steps {
			if bad := ForbiddenArgs(st.Args); len(bad) > 0 {
				return Status(StatusInvalid, false, []string{fmt.Sprintf("step %s: %s may not be set by the model", st.ID, strings.Join(bad, ", "))}), StatusInvalid
			}
		}
		out := h.Propose(ctx, &pl)
		msg := Status(out.Status, out.Retryable, out.Errors)
		if out.Summary != "" {
			msg = withSummary(msg, out.Summary)
		}
		return msg, out.Status
	case SaveFileFunction:
		if mode != "compose" || h.SaveFile == nil {
			return Status(StatusDenied, false, []string{"save_file works in compose mode only"}), StatusRefused
		}
		var a struct{ Kind, Path, Content string }
		if err := json.Unmarshal(args, &a); err != nil {
			return Status(StatusInvalid, true, []string{"save_file takes {kind, path, content}: " + err.Error()}), StatusInvalid
		}
		out := h.SaveFile(ctx, a.Kind, a.Path, a.Content)
		msg := Status(out.Status, out.Retryable, out.Errors)
		if out.Summary != "" {
			msg = withSummary(msg, out.Summary)
		}
		return msg, out.Status
	case DescribeToolFunction:
		var a struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(args, &a)
		desc, err := DescribeTool(p.Registry, a.Name)
		if err != nil {
			return Status(StatusInvalid, true, []string{err.Error()}), StatusInvalid
		}
		return desc, StatusOK
	case ReadToolFunction:
		var a struct {
			Name string          `json:"name"`
			Args json.RawMessage `json:"args"`
		}
		if err := json.Unmarshal(args, &a); err != nil {
			return Status(StatusInvalid, true, []string{"read_tool takes {name, args}: " + err.Error()}), StatusInvalid
		}
		if t, ok := p.Registry.Lookup(a.Name); !ok || !Deferred(t) || t.Effect != tools.Read {
			return Status(StatusInvalid, true, []string{fmt.Sprintf("read_tool runs the reads in its list; %q is not one (other reads are functions of their own)", a.Name)}), StatusInvalid
		}
		if len(a.Args) == 0 || string(a.Args) == "null" {
			desc, err := DescribeTool(p.Registry, a.Name)
			if err != nil {
				return Status(StatusInvalid, true, []string{err.Error()}), StatusInvalid
			}
			return desc, StatusOK
		}
		return p.read(ctx, a.Name, a.Args, h)
	}
	name, ok := ToolName(tc.Name)
	if !ok {
		return Status(StatusInvalid, true, []string{fmt.Sprintf("no function %q", tc.Name)}), StatusInvalid
	}
	return p.read(ctx, name, args, h)
}

// read runs one read tool for the model: a direct function or read_tool.
func (p *Planner) read(ctx context.Context, name string, args json.RawMessage, h Hooks) (string, string) {
	tool, ok := p.Registry.Lookup(name)
	if !ok {
		return Status(StatusInvalid, true, []string{fmt.Sprintf("no tool %q", name)}), StatusInvalid
	}
	if tool.PersonOnly {
		return Status(StatusDenied, false, []string{PersonOnlyRefusal(tool)}), StatusDenied
	}
	if tool.Effect != tools.Read {
		return Status(StatusInvalid, true, []string{tool.Slash() + " changes the cloud: propose it with propose_plan"}), StatusInvalid
	}
	if bad := ForbiddenArgs(args); len(bad) > 0 {
		return Status(StatusInvalid, false, []string{strings.Join(bad, ", ") + " may not be set by the model"}), StatusInvalid
	}
	if h.AllowRead != nil && !h.AllowRead(name, args) {
		return Status(StatusDenied, false, []string{"the person did not allow this read's data to be shared"}), StatusDenied
	}
	if h.Calling != nil {
		h.Calling(name, args)
	}
	res, err := h.Read(ctx, name, args)
	if err != nil {
		var ae *tools.ArgsError
		if errors.As(err, &ae) {
			return Status(StatusInvalid, true, ae.Problems), StatusInvalid
		}
		return Status(StatusFailed, true, []string{err.Error()}), StatusFailed
	}
	return Fence(name, res, p.resultBudget()), StatusOK
}

func withSummary(status, summary string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(status), &m); err != nil {
		return status
	}
	m["summary"] = summary
	b, err := json.Marshal(m)
	if err != nil {
		return status
	}
	return string(b)
}

// describeOnly keeps describe_tool, so compose mode can learn the
// arguments of the change tools it writes into recipes.
func describeOnly(fns []llm.Function) []llm.Function {
	for _, f := range fns {
		if f.Name == DescribeToolFunction {
			return []llm.Function{f}
		}
	}
	return nil
}

// readOnly drops the functions that lead to changes.
func readOnly(fns []llm.Function) []llm.Function {
	out := fns[:0:0]
	for _, f := range fns {
		if f.Name == ProposePlanFunction || f.Name == DescribeToolFunction {
			continue
		}
		out = append(out, f)
	}
	return out
}

// setSystem makes the session's first message the current mode's system
// prompt. Replacing it, rather than adding a note about the new mode,
// keeps one set of instructions in force: a plan-mode prompt left at the
// top of an ask-mode turn would invite the plans ask mode refuses. It
// costs the provider's prompt cache only when the mode changes, and a
// mode change breaks that cache anyway, since the functions offered
// (which come first in the cached prefix) change with it; turns in one
// mode send the same bytes and keep hitting.
func setSystem(s *Session, system string) {
	msg := llm.Message{Role: llm.RoleSystem, Content: system}
	switch {
	case len(s.Messages) == 0:
		s.Messages = append(s.Messages, msg)
	case s.Messages[0].Role == llm.RoleSystem:
		s.Messages[0] = msg
	default:
		// A session saved without one (hand-edited, or older) gets it
		// in front, where providers expect it.
		s.Messages = append([]llm.Message{msg}, s.Messages...)
	}
}

// readOnlyMode reports whether a mode may only read: ask answers
// questions, advise reports findings; neither proposes changes.
func readOnlyMode(mode string) bool { return mode == "ask" || mode == "advise" }

func (p *Planner) maxCallsPerReply() int {
	if p.MaxCallsPerReply > 0 {
		return p.MaxCallsPerReply
	}
	return 8
}

func (p *Planner) maxCallsPerTurn() int {
	if p.MaxCallsPerTurn > 0 {
		return p.MaxCallsPerTurn
	}
	return 32
}

func (p *Planner) maxCorrections() int {
	if p.MaxCorrections > 0 {
		return p.MaxCorrections
	}
	return 3
}

func (p *Planner) maxCalls() int {
	if p.MaxCalls > 0 {
		return p.MaxCalls
	}
	return 12
}

func (p *Planner) resultBudget() int {
	if p.ResultBudget > 0 {
		return p.ResultBudget
	}
	return 6000
}
