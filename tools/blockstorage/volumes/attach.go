package volumes

import "github.com/kriscelmer/os-tui/tools"

// attachTools make attaching and detaching reachable from the volume
// side: /volume attach VOLUME SERVER and /volume detach VOLUME SERVER.
// Nova does the work (a volume is attached through the compute API), so
// they are the compute tools server.add.volume and server.remove.volume
// under second names (tools.Tool.As): the same preflight, dry run,
// requests, wait and undo; only their schemas put the volume first.
func attachTools() []tools.Tool {
	return []tools.Tool{
		{Name: "volume.attach", As: "server.add.volume"},
		{Name: "volume.detach", As: "server.remove.volume"},
	}
}
