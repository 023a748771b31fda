// Package gate is the one path by which a tool runs. Read tools pass
// through Read: validated, then run at once. Tools that change the cloud
// are refused here; they go through the approval path, which is the only
// maker of an approval the executor accepts.
package gate

import (
	"context"
	"fmt"

	"github.com/kriscelmer/os-tui/tools"
)

// ErrNotRead is returned when Read is asked to run a tool that changes
// the cloud.
type ErrNotRead struct{ Tool *tools.Tool }

func (e *ErrNotRead) Error() string {
	return fmt.Sprintf("%s is a %s tool: it needs a plan and your approval, not a direct call", e.Tool.Slash(), e.Tool.Effect)
}

// ServiceMissingError says the cloud's catalog lacks the tool's service.
type ServiceMissingError struct {
	Tool    *tools.Tool
	Service string
}

func (e *ServiceMissingError) Error() string {
	return fmt.Sprintf("%s needs the %s service, which this cloud's catalog does not have (see /catalog)", e.Tool.Slash(), e.Service)
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
		return nil, &ServiceMissingError{Tool: tool, Service: tool.Service}
	}
	return tool.Run(ctx, env, args)
}
