package views

import (
	"github.com/kriscelmer/os-tui/agent/plan"

	"context"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kriscelmer/os-tui/internal/termtext"
	"github.com/kriscelmer/os-tui/tools"
)

// Deps is what a view is built with. Views hold no cloud client and no
// workflow: reads and plans go through Backend, text from the cloud
// through Text.
type Deps struct {
	// Backend reads and submits plans (the session engine).
	Backend Backend
	// Ctx bounds the reads and plans a view starts; it is the shell
	// command's context, cancelled when the person leaves.
	Ctx context.Context
	// Styles is the shared look.
	Styles Styles
	// Mask, when set, hides a value before it is shown (privacy mode):
	// column is the column or field name ("Name", "Networks"), as
	// internal/privacy's Masker.Cell takes it.
	Mask func(column, text string) string
	// Now is the clock (tests fix it); nil is time.Now.
	Now func() time.Time
	// SaveRecipe saves a reviewed plan as the recipe name (the plan
	// review's r key) and says where; nil: the key is not offered.
	SaveRecipe func(name string, p *plan.Plan) (string, error)
}

// NewDeps fills in the defaults: colour unless NO_COLOR is set, the
// background context, the real clock.
func NewDeps(b Backend) Deps {
	_, noColor := os.LookupEnv("NO_COLOR")
	return Deps{Backend: b, Ctx: context.Background(), Styles: NewStyles(!noColor), Now: time.Now}
}

// Text makes a value from the cloud safe to show: control characters
// escaped (internal/termtext) and, in privacy mode, masked.
func (d Deps) Text(column, s string) string {
	s = termtext.Safe(s)
	if d.Mask != nil {
		s = d.Mask(column, s)
	}
	return s
}

// Clock returns the current time.
func (d Deps) Clock() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d Deps) ctx() context.Context {
	if d.Ctx != nil {
		return d.Ctx
	}
	return context.Background()
}

// ReadMsg is the answer to a Read command.
type ReadMsg struct {
	// Tag is the caller's label, to tell answers apart (a panel name,
	// "servers#3" for the third refresh).
	Tag    string
	Tool   string
	Args   tools.Args
	Result *tools.Result
	Err    error
	// At is when the answer arrived (the refresh time a view shows).
	At time.Time
}

// Read returns a command that runs one read tool off the UI goroutine
// and delivers a ReadMsg: views never do I/O inside Update.
func (d Deps) Read(tag, tool string, args tools.Args) tea.Cmd {
	if len(args) == 0 {
		args = tools.Args("{}")
	}
	return func() tea.Msg {
		res, err := d.Backend.Read(d.ctx(), tool, args)
		return ReadMsg{Tag: tag, Tool: tool, Args: args, Result: res, Err: err, At: d.Clock()}
	}
}
