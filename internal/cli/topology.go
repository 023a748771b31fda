package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/internal/termtext"
	"github.com/kriscelmer/os-tui/internal/topology"
	"github.com/kriscelmer/os-tui/internal/views/topoview"
)

const topologyUsage = "usage: /topology [--format text|mermaid|dot] [--view]"

// topologyCommand reads the network, subnet, router, port, floating IP
// and server lists through the engine and prints the project's network
// topology. A list that cannot be read (service missing, 403) is named
// on stderr and left out; the rest is still drawn.
func (s *Shell) topologyCommand(ctx context.Context, args []string) error {
	format, view, err := topologyArgs(args)
	if err != nil {
		return err
	}
	if view {
		if !s.canShowViews() {
			return errors.New("the topology view is full-screen and needs a terminal; here use /topology [--format text|mermaid|dot]")
		}
		return s.topologyView(ctx)
	}
	explain := cloud.Explain
	if s.conn != nil {
		explain = s.conn.Explain
	}
	in, skipped, err := topology.Load(ctx, engineReader(s.engine), explain)
	if err != nil {
		return err
	}
	g := topology.Build(in)
	width := 0
	if s.IO.IsStdoutTTY() {
		width = s.IO.TerminalWidth()
	}
	var out strings.Builder
	if err := topology.Write(&out, g, format, width); err != nil {
		return err
	}
	fmt.Fprint(s.IO.Out, s.masked(out.String()))
	for _, m := range skipped {
		fmt.Fprintf(s.IO.ErrOut, "topology: left out %s\n", termtext.Safe(m))
	}
	return nil
}

// topologyArgs reads /topology's arguments: --format F, --format=F or
// -f F, and --view.
func topologyArgs(args []string) (format string, view bool, err error) {
	format = "text"
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--view":
			view = true
		case a == "--format" || a == "-f":
			if i+1 >= len(args) {
				return "", false, &usageError{msg: topologyUsage}
			}
			i++
			format = args[i]
		case strings.HasPrefix(a, "--format="):
			format = strings.TrimPrefix(a, "--format=")
		default:
			return "", false, &usageError{msg: topologyUsage}
		}
	}
	if !slices.Contains(topology.Formats, format) {
		return "", false, &usageError{msg: fmt.Sprintf("unknown format %q; %s", format, topologyUsage)}
	}
	return format, view, nil
}

// topologyView opens the navigable topology (/topology --view).
func (s *Shell) topologyView(ctx context.Context) error {
	return s.runView(ctx, topoview.New(s.viewDeps(ctx)))
}
