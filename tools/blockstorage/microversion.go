package blockstorage

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/tools"
)

// Microversions single verbs need beyond the block storage API's base.
const (
	// RevertMicroversion brought reverting a volume to its latest
	// snapshot.
	RevertMicroversion = "3.40"
	// ExtendInUseMicroversion is the first at which Cinder extends a
	// volume that is attached (in-use); older ones extend only an
	// available volume.
	ExtendInUseMicroversion = "3.42"
	// DefaultTypeMicroversion brought GET /types/default.
	DefaultTypeMicroversion = "3.62"
)

// Supports reports whether the cloud's block storage API has the
// microversion, and the newest one it has ("" for none), for the
// sentence that says why not.
func Supports(ctx context.Context, env *tools.Env, microversion string) (ok bool, have string, err error) {
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return false, "", fmt.Errorf("read the block storage API's microversions: %w", err)
	}
	return caps.Supports(Service, microversion), caps.Services[Service].MaxMicroversion, nil
}

// Require returns a Block finding when the block storage API is older
// than microversion: Cinder refuses the whole request rather than drop
// what it does not know. need completes "this cloud's block storage API
// has …; " and holds one %s for the microversion.
func Require(ctx context.Context, env *tools.Env, microversion, need string) (*tools.Finding, error) {
	ok, have, err := Supports(ctx, env, microversion)
	if err != nil || ok {
		return nil, err
	}
	if have == "" {
		have = "no microversions"
	} else {
		have = "microversions up to " + have
	}
	return &tools.Finding{Level: tools.Block, Text: fmt.Sprintf("this cloud's block storage API has %s; "+need, have, microversion)}, nil
}

// ClientAt returns a block storage client that speaks microversion: the
// request of a verb that needs it is refused at the cloud's default.
func ClientAt(ctx context.Context, env *tools.Env, microversion string) (*gophercloud.ServiceClient, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	c.Microversion = microversion
	return c, nil
}
