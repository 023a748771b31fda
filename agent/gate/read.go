// Package gate is the one path by which a tool runs. Read tools pass
// through Read: validated, then run at once. Tools that change the cloud
// are refused here; they go through the approval path, which is the only
// maker of an approval the executor accepts.
package gate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
)

// ErrNotRead is returned when Read is asked to run a tool that changes
// the cloud.
type ErrNotRead struct{ Tool *tools.Tool }

func (e *ErrNotRead) Error() string {
	return fmt.Sprintf("%s is a %s tool: it needs a plan and your approval, not a direct call", e.Tool.Slash(), e.Tool.Effect)
}

// ServiceMissingError says the cloud's catalog lacks the tool's service
// (in the chosen region).
type ServiceMissingError struct {
	Tool    *tools.Tool
	Service string
	// Region is the region in use and Regions those the catalog has; they
	// differ when the region, not the cloud, is the problem.
	Region  string
	Regions []string
}

func (e *ServiceMissingError) Error() string {
	if e.Region != "" && len(e.Regions) > 0 && !slices.Contains(e.Regions, e.Region) {
		return fmt.Sprintf("%s needs the %s service, and the catalog has no endpoints in region %q; its regions are: %s (switch with /region NAME)",
			e.Tool.Slash(), tools.ServiceLabel(e.Service), e.Region, strings.Join(e.Regions, ", "))
	}
	return fmt.Sprintf("%s needs the %s service, which this cloud's catalog does not have (see /catalog)", e.Tool.Slash(), tools.ServiceLabel(e.Service))
}

// Read validates args against the tool's schema, checks that the tool only
// reads and that its service is in the catalog, then runs it.
func Read(ctx context.Context, reg *tools.Registry, env *tools.Env, name string, args tools.Args) (*tools.Result, error) {
	tool, ok := reg.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown tool %q", name)
	}
	if tool.Effect != tools.Read {
		return nil, &ErrNotRead{Tool: tool}
	}
	if err := reg.Validate(name, args); err != nil {
		return nil, err
	}
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return nil, err
	}
	if !caps.Has(tool.Service) {
		if caps, err = refreshedCatalog(ctx, env, caps); err != nil {
			return nil, err
		}
	}
	if !caps.Has(tool.Service) {
		return nil, &ServiceMissingError{Tool: tool, Service: tool.Service, Region: caps.Region, Regions: caps.Regions}
	}
	return tool.Run(ctx, env, args)
}

// catalogRefresher is a connection whose catalog may be older than the
// cloud's (cloud.Conn with a cached token).
type catalogRefresher interface {
	RefreshCatalog(ctx context.Context) (bool, error)
}

// refreshedCatalog reads the catalog again, logging in anew, when the
// connection's came from a cached token: a service the cloud gained after
// that login is missing only from the cache. Otherwise, caps as it is.
func refreshedCatalog(ctx context.Context, env *tools.Env, caps *cloud.Capabilities) (*cloud.Capabilities, error) {
	r, ok := env.Clients.(catalogRefresher)
	if !ok {
		return caps, nil
	}
	refreshed, err := r.RefreshCatalog(ctx)
	if err != nil || !refreshed {
		return caps, err
	}
	return env.Clients.Capabilities(ctx)
}
