package servers

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/tools"
)

// Microversion is the compute API microversion every server tool speaks,
// reads and changes alike, so a server looks the same to all of them.
// From 2.47 a server embeds its flavor (with original_name), so listing
// needs no flavor lookups; 2.79 also brings description, tags, locked and
// the volume attachments' delete_on_termination.
const Microversion = "2.79"

// Microversions a single verb needs beyond what every cloud has.
const (
	// tagsMicroversion brought server tags.
	tagsMicroversion = "2.26"
	// lockReasonMicroversion is the first at which Nova accepts (and
	// shows) a lock reason.
	lockReasonMicroversion = "2.73"
)

// Client returns a compute client pinned to Microversion: the shape of
// what comes back depends on it, whatever the cloud's default.
func Client(ctx context.Context, env *tools.Env) (*gophercloud.ServiceClient, error) {
	c, err := env.Clients.ServiceClient(ctx, "compute")
	if err != nil {
		return nil, err
	}
	c.Microversion = Microversion
	return c, nil
}

// requireMicroversion blocks a step that sends something the cloud's
// compute API is too old for: an older Nova refuses the whole request
// rather than drop the part it does not know. need completes "this
// cloud's compute API has …; " and holds one %s for the microversion.
func requireMicroversion(ctx context.Context, env *tools.Env, microversion, need string) (*tools.Finding, error) {
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the compute API's microversions: %w", err)
	}
	if caps.Supports("compute", microversion) {
		return nil, nil
	}
	have := "no microversions"
	if maxV := caps.Services["compute"].MaxMicroversion; maxV != "" {
		have = "microversions up to " + maxV
	}
	return &tools.Finding{Level: tools.Block, Text: fmt.Sprintf("this cloud's compute API has %s; "+need, have, microversion)}, nil
}
