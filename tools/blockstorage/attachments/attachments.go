// Package attachments makes attaching and detaching reachable from the
// volume side: /volume attach VOLUME SERVER and /volume detach VOLUME
// [SERVER]. Nova does the work (a volume is attached to a server through
// the compute API), so these are the compute package's server.add.volume
// and server.remove.volume under volume names: the same preflight, dry
// run, requests, wait and undo, with the volume first. Detach may leave
// out the server when the volume is attached to one.
package attachments

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/blockstorage/volumes"
	"github.com/kriscelmer/os-tui/tools/compute/servers"
)

// Tools returns volume.attach and volume.detach.
func Tools() []tools.Tool {
	all := servers.Tools()
	return []tools.Tool{
		renamed(find(all, "server.add.volume"), "volume.attach"),
		detach(renamed(find(all, "server.remove.volume"), "volume.detach")),
	}
}

// find returns the named tool; its absence is a programming error that
// every test of this package catches.
func find(all []tools.Tool, name string) tools.Tool {
	for _, t := range all {
		if t.Name == name {
			return t
		}
	}
	panic("attachments: no tool " + name)
}

// renamed is the compute tool under a volume name. Its arguments are
// the same JSON object (server, volume, device), so nothing needs
// translating; the schema of the new name orders them volume first.
func renamed(t tools.Tool, name string) tools.Tool {
	t.Name = name
	t.Summary = ""
	return t
}

// detachArgs are volume.detach's arguments: server.remove.volume's, with
// the server optional.
type detachArgs struct {
	Volume string `json:"volume"`
	Server string `json:"server,omitempty"`
}

// detach lets volume.detach leave out the server: the preflight finds
// the one the volume is attached to and hands the compute tool's check
// the arguments with it filled in (its resolved arguments then carry
// the server to the dry run and the run).
func detach(t tools.Tool) tools.Tool {
	check, undo := t.Check, t.Undo
	t.Check = func(ctx context.Context, env *tools.Env, raw tools.Args) (*tools.Check, error) {
		var a detachArgs
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("decode arguments: %w", err)
		}
		if a.Server != "" || tools.IsRef(a.Volume) {
			return check(ctx, env, raw)
		}
		v, err := volumes.Resolve(ctx, env, a.Volume)
		if err != nil {
			return nil, err
		}
		switch len(v.Attachments) {
		case 1:
			a.Server = v.Attachments[0].ServerID
			return check(ctx, env, tools.JSON(a))
		case 0:
			return &tools.Check{Targets: []tools.Target{v.Target()}, Findings: []tools.Finding{{Level: tools.Block,
				Text: fmt.Sprintf("volume %s is %s and attached to no server; there is nothing to detach", v.Label(), v.Status)}}}, nil
		}
		names := make([]string, 0, len(v.Attachments))
		for _, at := range v.Attachments {
			names = append(names, blockstorage.ServerName(ctx, env, at.ServerID, false))
		}
		return &tools.Check{Targets: []tools.Target{v.Target()}, Findings: []tools.Finding{{Level: tools.Block,
			Text: fmt.Sprintf("volume %s is attached to %d servers (%s); name the one to detach it from: /volume detach %s SERVER", v.Label(), len(names), strings.Join(names, ", "), v.Label())}}}, nil
	}
	t.Undo = func(raw tools.Args, res *tools.Result) *tools.Call {
		var a detachArgs
		if err := json.Unmarshal(raw, &a); err == nil && a.Server == "" && res != nil && res.Outputs["server"] != "" {
			a.Server = res.Outputs["server"]
			raw = tools.JSON(a)
		}
		return undo(raw, res)
	}
	return t
}
