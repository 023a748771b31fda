package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/internal/termtext"
	"github.com/kriscelmer/os-tui/internal/topology"
	"github.com/kriscelmer/os-tui/tools"
)

const topologyUsage = "usage: /topology [--format text|mermaid|dot]"

// maxTopologyRouters bounds the per-router port reads of /topology.
const maxTopologyRouters = 50

// topologyCommand reads the network, subnet, router, port, floating IP
// and server lists through the engine and prints the project's network
// topology. A list that cannot be read (service missing, 403) is named
// on stderr and left out; the rest is still drawn.
func (s *Shell) topologyCommand(ctx context.Context, args []string) error {
	format, err := topologyFormat(args)
	if err != nil {
		return err
	}
	var skipped []string
	var firstErr error
	failed := 0
	read := func(tool string, a map[string]any) *tools.List {
		raw := tools.Args("{}")
		if a != nil {
			b, err := json.Marshal(a)
			if err != nil {
				return nil
			}
			raw = b
		}
		res, err := s.engine.Read(ctx, plan.OriginSlash, tool, raw)
		if err != nil {
			failed++
			if firstErr == nil {
				firstErr = err
			}
			if ctx.Err() == nil {
				if s.conn != nil {
					err = s.conn.Explain(err)
				} else {
					err = cloud.Explain(err)
				}
				first, _, _ := strings.Cut(err.Error(), "\n")
				skipped = append(skipped, tool+": "+first)
			}
			return nil
		}
		if res == nil {
			return nil
		}
		return res.List
	}
	in := topology.Input{
		Networks:    read("network.list", nil),
		Subnets:     read("subnet.list", nil),
		Routers:     read("router.list", nil),
		FloatingIPs: read("floating-ip.list", nil),
		Servers:     read("server.list", nil),
		RouterPorts: map[string]*tools.List{},
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if failed == 5 {
		// Nothing could be read (no cloud, no network): one error, not five.
		return firstErr
	}
	if in.Routers != nil {
		idCol := slices.IndexFunc(in.Routers.Columns, func(c tools.Column) bool { return c.Name == "ID" })
		for i, row := range in.Routers.Rows {
			if idCol < 0 || idCol >= len(row) {
				break
			}
			if i == maxTopologyRouters {
				skipped = append(skipped, fmt.Sprintf("port.list: interfaces of only the first %d routers are shown", maxTopologyRouters))
				break
			}
			id, _ := row[idCol].(string)
			if id == "" {
				continue
			}
			if ports := read("port.list", map[string]any{"router": id}); ports != nil {
				in.RouterPorts[id] = ports
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	g := topology.Build(in)
	width := 0
	if s.IO.IsStdoutTTY() {
		width = s.IO.TerminalWidth()
	}
	if err := topology.Write(s.IO.Out, g, format, width); err != nil {
		return err
	}
	for _, m := range skipped {
		fmt.Fprintf(s.IO.ErrOut, "topology: left out %s\n", termtext.Safe(m))
	}
	return nil
}

// topologyFormat reads /topology's arguments: --format F, --format=F or
// -f F.
func topologyFormat(args []string) (string, error) {
	format := "text"
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--format" || a == "-f":
			if i+1 >= len(args) {
				return "", &usageError{msg: topologyUsage}
			}
			i++
			format = args[i]
		case strings.HasPrefix(a, "--format="):
			format = strings.TrimPrefix(a, "--format=")
		default:
			return "", &usageError{msg: topologyUsage}
		}
	}
	if !slices.Contains(topology.Formats, format) {
		return "", &usageError{msg: fmt.Sprintf("unknown format %q; %s", format, topologyUsage)}
	}
	return format, nil
}
