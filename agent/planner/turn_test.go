package planner

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/prompt"
	"github.com/kriscelmer/os-tui/internal/llm/llmtest"
	"github.com/kriscelmer/os-tui/tools"
)

func offeredNames(req llm.Request) []string {
	var out []string
	for _, f := range req.Functions {
		out = append(out, f.Name)
	}
	return out
}

// The mode of the current turn decides the system prompt and the
// functions, not the mode of the session's first turn.
func TestSystemPromptFollowsTheModeEveryTurn(t *testing.T) {
	data := prompt.Data{Cloud: "dev", Project: "demo"}
	system := func(mode string) string {
		t.Helper()
		s, err := prompt.System(mode, data)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	turns := []string{"ask", "plan", "advise", "plan"}
	model := &scripted{}
	for range turns {
		model.replies = append(model.replies, llm.Response{Content: "fine"})
	}
	p := newPlanner(t, model)
	s := &Session{}
	for _, mode := range turns {
		if err := p.Turn(t.Context(), s, system(mode), mode, "how is the cloud?", Hooks{}); err != nil {
			t.Fatal(err)
		}
	}
	for i, mode := range turns {
		t.Run(fmt.Sprintf("turn %d in %s mode", i+1, mode), func(t *testing.T) {
			req := model.requests[i]
			var systems []string
			for _, m := range req.Messages {
				if m.Role == llm.RoleSystem {
					systems = append(systems, m.Content)
				}
			}
			if diff := cmp.Diff([]string{system(mode)}, systems); diff != "" {
				t.Errorf("system messages (-want +got):\n%s", diff)
			}
			if req.Messages[0].Role != llm.RoleSystem {
				t.Errorf("first message has role %q, want system", req.Messages[0].Role)
			}
			if got, want := slices.Contains(offeredNames(req), ProposePlanFunction), mode == "plan"; got != want {
				t.Errorf("propose_plan offered = %v, want %v", got, want)
			}
		})
	}
}

// A session saved without a system message gets one in front.
func TestSystemPromptIsPutFirst(t *testing.T) {
	model := &scripted{replies: []llm.Response{{Content: "fine"}}}
	p := newPlanner(t, model)
	s := &Session{Messages: []llm.Message{{Role: llm.RoleUser, Content: "earlier"}, {Role: llm.RoleAssistant, Content: "yes"}}}
	if err := p.Turn(t.Context(), s, "the plan prompt", "plan", "now", Hooks{}); err != nil {
		t.Fatal(err)
	}
	var roles []string
	for _, m := range model.requests[0].Messages {
		roles = append(roles, m.Role)
	}
	if diff := cmp.Diff([]string{"system", "user", "assistant", "user"}, roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
}

// Advise reports findings from reads: it is offered reads only, its
// prompt says it cannot propose, and a propose_plan it names anyway is
// refused without reaching the person.
func TestAdviseModeOnlyReads(t *testing.T) {
	model := &scripted{replies: []llm.Response{
		calls(
			tc("c1", ProposePlanFunction, `{"goal": "x", "steps": [{"id": "s", "tool": "server.stop", "args": {"server": "a"}}]}`),
			tc("c2", FunctionName("server.list"), `{}`),
		),
		{Content: "db-2 is in ERROR; /server reboot db-2 may fix it."},
	}}
	p := newPlanner(t, model)
	system, err := prompt.System("advise", prompt.Data{})
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	s := &Session{}
	err = p.Turn(t.Context(), s, system, "advise", "review my project", Hooks{
		Read: func(context.Context, string, tools.Args) (*tools.Result, error) { reads++; return serverList(), nil },
		Propose: func(context.Context, *plan.Plan) Outcome {
			t.Error("a plan was proposed in advise mode")
			return Outcome{}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	names := offeredNames(model.requests[0])
	for _, absent := range []string{ProposePlanFunction, DescribeToolFunction, SaveFileFunction} {
		if slices.Contains(names, absent) {
			t.Errorf("advise mode offered %s", absent)
		}
	}
	if !slices.Contains(names, FunctionName("server.list")) {
		t.Errorf("advise mode did not offer server.list: %v", names)
	}
	if reads != 1 {
		t.Errorf("%d reads ran, want 1: a refused propose_plan must not stop the batch", reads)
	}
	got := toolMessages(s)
	if len(got) != 2 || !strings.Contains(got[0], "propose_plan is not available in advise mode") {
		t.Errorf("tool messages = %v", got)
	}
}

// toolResult is a tool message as JSON, for the calls that were not run.
type toolResult struct {
	Status    string   `json:"status"`
	Retryable bool     `json:"retryable"`
	Errors    []string `json:"errors"`
}

// A reply asking for hundreds of reads runs only the first few; every
// call still gets its own answer, as the API requires. This goes through
// the real client and the scripted HTTP model, so the 300 answers are
// seen on the wire.
func TestToolCallsPerReplyAreBounded(t *testing.T) {
	var many []llm.ToolCall
	for i := range 300 {
		many = append(many, tc(fmt.Sprintf("c%d", i), FunctionName("server.list"), `{}`))
	}
	answered := func(c llmtest.Captured) error {
		results := map[string]string{}
		for _, m := range c.Messages {
			if m.Role == llm.RoleTool {
				results[m.ToolCallID] = m.Content
			}
		}
		for i, call := range many {
			got, ok := results[call.ID]
			if !ok {
				return fmt.Errorf("call %s has no result", call.ID)
			}
			if i < 8 {
				if !strings.HasPrefix(got, `<tool_result tool="server.list">`) {
					return fmt.Errorf("call %s (within the bound) = %.80q, want a fenced result", call.ID, got)
				}
				continue
			}
			var r toolResult
			if err := json.Unmarshal([]byte(got), &r); err != nil {
				return fmt.Errorf("call %s: result %q is not JSON: %w", call.ID, got, err)
			}
			want := toolResult{Status: "refused", Errors: []string{"too many calls in one reply: at most 8 run; ask for fewer, narrower reads"}}
			if diff := cmp.Diff(want, r); diff != "" {
				return fmt.Errorf("call %s (-want +got):\n%s", call.ID, diff)
			}
		}
		if len(results) != len(many) {
			return fmt.Errorf("%d results for %d calls", len(results), len(many))
		}
		return nil
	}
	srv := llmtest.New(t, llmtest.Script{
		{ToolCalls: many},
		{Expect: []llmtest.Expectation{{Check: answered}}, Text: "db-2 is in ERROR."},
	})
	client, err := llm.New(llm.Config{BaseURL: srv.URL, Model: "scripted", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	p := newPlanner(t, &scripted{})
	p.LLM = client
	var reads atomic.Int32
	err = p.Turn(t.Context(), &Session{}, "system", "plan", "which servers are in ERROR?", Hooks{
		Read: func(context.Context, string, tools.Args) (*tools.Result, error) {
			reads.Add(1)
			return serverList(), nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := reads.Load(); got != 8 {
		t.Errorf("%d reads ran against the gate, want 8", got)
	}
}

// The bounds are fields: per reply and per turn, both enforced.
func TestToolCallBounds(t *testing.T) {
	batch := func(prefix string, n int) llm.Response {
		var out []llm.ToolCall
		for i := range n {
			out = append(out, tc(fmt.Sprintf("%s%d", prefix, i), FunctionName("server.list"), `{}`))
		}
		return calls(out...)
	}
	tests := []struct {
		name              string
		perReply, perTurn int
		replies           []llm.Response
		wantReads         int
		wantRefused       map[string]int // message start → count
	}{
		{
			name: "defaults: 300 in one reply run 8", replies: []llm.Response{batch("a", 300)},
			wantReads: 8, wantRefused: map[string]int{"too many calls in one reply: at most 8 run": 292},
		},
		{
			name: "defaults: 5 replies of 8 run 32", replies: []llm.Response{batch("a", 8), batch("b", 8), batch("c", 8), batch("d", 8), batch("e", 8)},
			wantReads: 32, wantRefused: map[string]int{"too many calls in one turn: at most 32 run": 8},
		},
		{
			name: "set: 2 a reply, 3 a turn", perReply: 2, perTurn: 3, replies: []llm.Response{batch("a", 5), batch("b", 5)},
			wantReads: 3, wantRefused: map[string]int{"too many calls in one reply: at most 2 run": 6, "too many calls in one turn: at most 3 run": 1},
		},
		{
			name: "within the bounds nothing is refused", perReply: 4, perTurn: 8, replies: []llm.Response{batch("a", 4), batch("b", 4)},
			wantReads: 8, wantRefused: map[string]int{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			model := &scripted{replies: append(tt.replies, llm.Response{Content: "done"})}
			p := newPlanner(t, model)
			p.MaxCallsPerReply, p.MaxCallsPerTurn = tt.perReply, tt.perTurn
			reads := 0
			s := &Session{}
			err := p.Turn(t.Context(), s, "system", "plan", "look", Hooks{
				Read: func(context.Context, string, tools.Args) (*tools.Result, error) { reads++; return serverList(), nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			if reads != tt.wantReads {
				t.Errorf("%d reads ran, want %d", reads, tt.wantReads)
			}
			calls, results := 0, 0
			refused := map[string]int{}
			for _, m := range s.Messages {
				calls += len(m.ToolCalls)
				if m.Role != llm.RoleTool {
					continue
				}
				results++
				var r toolResult
				if json.Unmarshal([]byte(m.Content), &r) == nil && r.Status == StatusRefused {
					msg, _, _ := strings.Cut(r.Errors[0], ";")
					refused[msg]++
				}
			}
			if calls != results {
				t.Errorf("%d results answer %d calls", results, calls)
			}
			if diff := cmp.Diff(tt.wantRefused, refused); diff != "" {
				t.Errorf("refused calls (-want +got):\n%s", diff)
			}
		})
	}
}
