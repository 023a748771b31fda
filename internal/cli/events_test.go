package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

// TestEventsRenderOffATerminal: what a pipe or a log gets for each event,
// with cloud text escaped.
func TestEventsRenderOffATerminal(t *testing.T) {
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	ios, _, out, errOut := iostreams.Test()
	s := NewShell(ios, reg, config.Flags{}, func(string) string { return "" }, Paths{StateDir: t.TempDir()})
	stop := &tools.Tool{Name: "server.stop", Effect: tools.Change}
	sr := &gate.StepReview{Step: plan.Step{ID: "stop", Args: tools.Args(`{}`)}, Tool: stop,
		Check: &tools.Check{Targets: []tools.Target{{Kind: "server", Name: "web\x1b[2J-1"}}}}
	review := &gate.Review{Plan: &plan.Plan{Goal: "/server stop web-1", Origin: "slash"}, Steps: []gate.StepReview{*sr}}
	run := &session.Run{Steps: []session.StepOutcome{
		{Step: sr.Step, Tool: stop, Status: session.StepOK, Result: &tools.Result{Text: "stopped"}},
		{Step: sr.Step, Tool: stop, Status: session.StepNotRun},
	}}
	for _, ev := range []session.Event{
		session.PreflightStarted{Plan: review.Plan},
		session.ReviewReady{Review: review},
		session.Notice{Text: "approved by your grant for this session"},
		session.StepStarted{Index: 0, Step: sr},
		session.StepProgress{Index: 0, Status: "SHUTOFF, fault: \x1b]0;pwned\x07"},
		session.StepFinished{Index: 0, Outcome: &run.Steps[0]},
		session.Finished{Outcome: &session.Outcome{Status: session.StatusOK, Exec: run}},
		session.UndoOffered{Plan: &plan.Plan{Steps: []plan.Step{{Tool: "server.start"}}}},
		session.Failure{Err: errors.New("audit log: disk full")},
	} {
		s.events.show(ev)
	}
	for _, want := range []string{"Plan: /server stop web-1", `server web\x1b[2J-1`, "stopped"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out.String())
		}
	}
	for _, want := range []string{"approved by your grant", `▶ 1. /server stop server web\x1b[2J-1`, `SHUTOFF, fault: \x1b]0;pwned\x07`, "1 later step(s) were not run.", "The completed steps can be undone: /server start", "warning: audit log: disk full"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	if strings.ContainsRune(out.String()+errOut.String(), 0x1b) {
		t.Error("a raw ESC reached the output")
	}
}
