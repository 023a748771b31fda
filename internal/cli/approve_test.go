package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

// scriptedAsker answers prompts from a list and records the prompts.
type scriptedAsker struct {
	answers []string
	prompts []string
}

func (a *scriptedAsker) ask(prompt string) (string, error) {
	a.prompts = append(a.prompts, prompt)
	if len(a.answers) == 0 {
		return "", io.EOF
	}
	ans := a.answers[0]
	a.answers = a.answers[1:]
	return ans, nil
}

func testShell(t *testing.T, answers ...string) (*Shell, *scriptedAsker, fmt.Stringer) {
	t.Helper()
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	ios, _, _, errOut := iostreams.Test()
	s := NewShell(ios, reg, config.Flags{}, func(string) string { return "" }, Paths{StateDir: t.TempDir()})
	a := &scriptedAsker{answers: answers}
	s.Asker = a.ask
	return s, a, errOut
}

func planReview(origin string, effects ...tools.Effect) *gate.Review {
	r := &gate.Review{Plan: &plan.Plan{Goal: "g", Origin: origin}}
	for i, e := range effects {
		name := []string{"server.stop", "server.delete", "server.start"}[i%3]
		r.Steps = append(r.Steps, gate.StepReview{Step: plan.Step{ID: name, Args: tools.Args(`{"server":"web-1"}`)}, Tool: &tools.Tool{Name: name, Effect: e}})
	}
	return r
}

func TestTerminalApprover(t *testing.T) {
	stop := &tools.Tool{Name: "server.stop", Effect: tools.Change}
	tests := []struct {
		name      string
		answers   []string
		req       session.Request
		want      session.Decision
		wantAsked int
	}{
		{"yes", []string{"y"}, session.Request{Kind: session.ApprovePlan, Review: planReview("slash", tools.Change)}, session.Decision{Verdict: session.Approve}, 1},
		{"no with a reason", []string{"n, not during the backup"}, session.Request{Kind: session.ApprovePlan, Review: planReview("model", tools.Change)}, session.Decision{Verdict: session.Deny, Reason: "not during the backup"}, 1},
		{"Enter is no", []string{""}, session.Request{Kind: session.ApprovePlan, Review: planReview("slash", tools.Change)}, session.Decision{Verdict: session.Deny}, 1},
		{"end of input is no", nil, session.Request{Kind: session.ApprovePlan, Review: planReview("slash", tools.Change)}, session.Decision{Verdict: session.Deny}, 1},
		{"a nonsense answer asks again", []string{"maybe", "y"}, session.Request{Kind: session.ApprovePlan, Review: planReview("slash", tools.Change)}, session.Decision{Verdict: session.Approve}, 2},
		{"always, when offered", []string{"a"}, session.Request{Kind: session.ApprovePlan, Review: planReview("slash", tools.Change), Grantable: stop}, session.Decision{Verdict: session.AllowForSession}, 1},
		{"always, when not offered, asks again", []string{"a", "n"}, session.Request{Kind: session.ApprovePlan, Review: planReview("model", tools.Change)}, session.Decision{Verdict: session.Deny}, 2},
		{"step by step", []string{"s", "y", "n"}, session.Request{Kind: session.ApprovePlan, Review: planReview("slash", tools.Change, tools.Destroy)}, session.Decision{Verdict: session.ApproveSteps, Runs: []bool{true, false}}, 3},
		{"step by step, Ctrl-D midway", []string{"s", "y"}, session.Request{Kind: session.ApprovePlan, Review: planReview("slash", tools.Change, tools.Destroy)}, session.Decision{Verdict: session.Deny}, 3},
		{"undo review", []string{"y"}, session.Request{Kind: session.ReviewUndo, Undo: &plan.Plan{}}, session.Decision{Verdict: session.Approve}, 1},
		{"undo declined", []string{""}, session.Request{Kind: session.ReviewUndo, Undo: &plan.Plan{}}, session.Decision{Verdict: session.Deny}, 1},
		{"share a read", []string{"yes"}, session.Request{Kind: session.ShareRead, Tool: &tools.Tool{Name: "server.list"}, Args: tools.Args(`{}`)}, session.Decision{Verdict: session.Approve}, 1},
		{"blocked, left", []string{"n"}, session.Request{Kind: session.FixBlocked, Review: planReview("slash", tools.Change)}, session.Decision{Verdict: session.Deny}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, asker, _ := testShell(t, tt.answers...)
			got, err := (&terminalApprover{s: s}).Decide(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decision (-want +got):\n%s", diff)
			}
			if len(asker.prompts) != tt.wantAsked {
				t.Errorf("asked %d times, want %d: %q", len(asker.prompts), tt.wantAsked, asker.prompts)
			}
		})
	}
}

func TestPromptsOfferWhatApplies(t *testing.T) {
	s, asker, _ := testShell(t, "n")
	stop := &tools.Tool{Name: "server.stop", Effect: tools.Change}
	if _, err := (&terminalApprover{s: s}).Decide(context.Background(), session.Request{Kind: session.ApprovePlan, Review: planReview("slash", tools.Change), Grantable: stop}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(asker.prompts[0], "[a]lways allow /server stop this session") {
		t.Errorf("prompt %q does not offer the grant", asker.prompts[0])
	}
	s, asker, _ = testShell(t, "n")
	if _, err := (&terminalApprover{s: s}).Decide(context.Background(), session.Request{Kind: session.ShareRead, Tool: &tools.Tool{Name: "server.list"}, Args: tools.Args(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if want := "Share the result of /server list with the model? [y/N]: "; asker.prompts[0] != want {
		t.Errorf("prompt %q, want %q", asker.prompts[0], want)
	}
}

func TestShellApproverChoice(t *testing.T) {
	s, _, _ := testShell(t)
	if _, ok := s.approver().(*terminalApprover); !ok {
		t.Errorf("with a terminal the approver is %T", s.approver())
	}
	s.Asker = nil
	if _, err := s.approver().Decide(context.Background(), session.Request{Kind: session.ApprovePlan, Review: planReview("slash", tools.Change)}); !errors.Is(err, session.ErrNoAnswer) {
		t.Errorf("with no terminal the approver answered (%v), want fail-closed", err)
	}
	s.Yes = true
	d, err := s.approver().Decide(context.Background(), session.Request{Kind: session.ApprovePlan, Review: planReview("slash", tools.Change)})
	if err != nil || d.Verdict != session.Approve || d.By != gate.ByFlag {
		t.Errorf("--yes on a slash plan: %+v %v", d, err)
	}
	if _, err := s.approver().Decide(context.Background(), session.Request{Kind: session.ApprovePlan, Review: planReview("model", tools.Change)}); err == nil {
		t.Error("--yes approved a model's plan")
	}
}

func TestApprovalPromptSavesRecipe(t *testing.T) {
	s, asker, errOut := testShell(t, "r", "r lab", "y")
	s.Paths.RecipeDir = filepath.Join(t.TempDir(), "recipes")
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(t.TempDir(), "gitconfig"))
	review := planReview("slash", tools.Change)
	review.Plan.Steps = []plan.Step{{ID: "stop", Tool: "server.stop", Args: tools.Args(`{"server":"web-1"}`)}}
	req := session.Request{Kind: session.ApprovePlan, Review: review}
	got, err := (&terminalApprover{s: s}).Decide(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	// Saving is not an answer: the prompt asks again, and y approves.
	if got.Verdict != session.Approve || len(asker.prompts) != 3 {
		t.Fatalf("decision %+v after %d prompts", got, len(asker.prompts))
	}
	for _, want := range []string{"give the recipe a name: r NAME", "saved recipe lab: "} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	b, err := os.ReadFile(filepath.Join(s.Paths.RecipeDir, "lab.yaml"))
	if err != nil || !strings.Contains(string(b), "server: ${param.server}") {
		t.Errorf("the recipe file (%v):\n%s", err, b)
	}
}
