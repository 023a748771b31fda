package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/overview"
	"github.com/kriscelmer/os-tui/tools"
)

const overviewUsage = "usage: /overview [--all] [--text]   (--all: every cloud, project and region; --text: no full-screen view)"

// engineReader is the engine's read path as the overview and search read:
// arguments as a map, the person's own read (origin slash).
func engineReader(e *session.Engine) overview.Reader {
	return func(ctx context.Context, tool string, args map[string]any) (*tools.Result, error) {
		raw := tools.Args("{}")
		if args != nil {
			b, err := json.Marshal(args)
			if err != nil {
				return nil, err
			}
			raw = b
		}
		return e.Read(ctx, plan.OriginSlash, tool, raw)
	}
}

// overviewCommand shows the project at a glance: full screen at a
// terminal, as text in -c, a pipe or with --text.
func (s *Shell) overviewCommand(ctx context.Context, args []string) error {
	text, all := false, false
	for _, a := range args {
		switch a {
		case "--text":
			text = true
		case "--all":
			all = true
		default:
			return &usageError{msg: overviewUsage}
		}
	}
	if all {
		return s.allCloudsCommand(ctx, text)
	}
	if !text && s.fullScreen() {
		return s.overviewView(ctx)
	}
	o := overview.New(engineReader(s.engine), overview.Options{})
	start := time.Now()
	panels := o.LoadAll(ctx, nil)
	if err := ctx.Err(); err != nil {
		return err
	}
	wall := time.Since(start)
	if failedAll(panels) {
		// Nothing could be read (no cloud): one error, not seven panels.
		return fmt.Errorf("%s", panels[0].Err)
	}
	fmt.Fprint(s.IO.Out, s.masked(overview.Text(panels, time.Now())))
	if s.Debug {
		if st := o.Stats(); len(st) > 0 {
			fmt.Fprintf(s.IO.ErrOut, "overview: %d reads in %s; slowest %s %s took %s\n", len(st), wall.Round(time.Millisecond), st[0].Tool, st[0].Args, st[0].Took.Round(time.Millisecond))
		}
	}
	return nil
}

func failedAll(panels []overview.Panel) bool {
	for _, p := range panels {
		if p.State == overview.Ready {
			return false
		}
	}
	return len(panels) > 0 && panels[0].State == overview.Failed
}

// fullScreen reports whether /overview opens its view: the REPL at a
// terminal (-c prints the text version even at one, for scripts and
// transcripts).
func (s *Shell) fullScreen() bool {
	return s.interactive && s.canShowViews()
}
