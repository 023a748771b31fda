package stacks

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/orchestration"
)

// PreviewArgs are the arguments of stack.preview.
type PreviewArgs struct {
	Name            string            `json:"name"`
	TemplateFile    string            `json:"template_file"`
	EnvironmentFile []string          `json:"environment_file,omitempty"`
	Parameters      map[string]string `json:"parameters,omitempty"`
}

// TriageArgs are the arguments of stack.triage.
type TriageArgs struct {
	Stack string `json:"stack"`
}

// preview is Heat's stack preview: the resources a create would make,
// validated by Heat; nothing is created.
func preview(ctx context.Context, env *tools.Env, args PreviewArgs) (*tools.Result, error) {
	c, err := orchestration.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	f, err := orchestration.Load(args.TemplateFile, args.EnvironmentFile)
	if err != nil {
		return nil, err
	}
	if problems := f.CheckParams(args.Parameters); len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	body, err := f.CreateBody(args.Name, args.Parameters, 0, nil, nil)
	if err != nil {
		return nil, err
	}
	res, err := orchestration.CreatePreview(ctx, c, body)
	if err != nil {
		return nil, errors.New(orchestration.Refusal("stack preview", err))
	}
	out := &tools.List{Columns: []tools.Column{{Name: "resource_name"}, {Name: "resource_type"}, {Name: "stack_name", Long: true}}}
	for _, r := range res {
		out.Rows = append(out.Rows, []any{r.Name, r.Type, r.StackName})
	}
	return &tools.Result{List: out, Message: fmt.Sprintf("Heat validated %s: stack %s would have %d resources (a preview: nothing was created)", filepath.Base(f.TemplatePath), args.Name, len(res))}, nil
}

// Finding is one failed resource of a triage.
type Finding struct {
	Path       string
	Type       string
	Status     string
	Reason     string
	PhysicalID string
	// Underlying is what the resource's own service says of it (a
	// server's fault, a port's binding), or "".
	Underlying string
	// Show is the command that shows the resource itself.
	Show string
}

// Triage finds a stack's failed resources, nested stacks included, and
// asks each one's own service why.
func Triage(ctx context.Context, env *tools.Env, nameOrID string) (*orchestration.Stack, []Finding, error) {
	c, s, err := orchestration.Lookup(ctx, env, nameOrID)
	if err != nil {
		return nil, nil, err
	}
	res, err := orchestration.Resources(ctx, c, s, orchestration.MaxNestedDepth)
	if err != nil {
		return nil, nil, err
	}
	var out []Finding
	for _, r := range res {
		if !r.Failed() {
			continue
		}
		path := r.Name
		if r.Parent != "" {
			path = r.Parent + "/" + r.Name
		}
		f := Finding{Path: path, Type: r.Type, Status: r.Status, Reason: oneLine(r.StatusReason), PhysicalID: r.PhysicalID}
		f.Underlying, f.Show = underlying(ctx, env, s, r)
		out = append(out, f)
	}
	if len(out) == 0 && (s.Failed() || strings.HasPrefix(s.Status, "ROLLBACK")) {
		// The failed resources may be gone (rolled back, or a
		// replacement Heat cleaned up): the events still tell.
		ev, err := orchestration.Events(ctx, c, s, orchestration.MaxNestedDepth, "", 50)
		if err != nil {
			return nil, nil, err
		}
		seen := map[string]bool{}
		for i := len(ev) - 1; i >= 0; i-- {
			e := ev[i]
			if !strings.HasSuffix(e.Status, "_FAILED") || e.Resource == s.Name || seen[e.Resource] {
				continue
			}
			seen[e.Resource] = true
			out = append(out, Finding{Path: e.Resource, Status: e.Status, Reason: oneLine(e.StatusReason), PhysicalID: e.PhysicalID,
				Underlying: "from the event of " + e.Time, Show: fmt.Sprintf("/stack event list %s --resource %s", s.Name, e.Resource)})
		}
	}
	return s, out, nil
}

// underlying asks the resource's own service about it and names the
// command that shows it.
func underlying(ctx context.Context, env *tools.Env, s *orchestration.Stack, r orchestration.StackResource) (string, string) {
	fallback := fmt.Sprintf("/stack resource show %s %s", s.Name, r.Name)
	if r.Parent != "" && r.StackID() != "" {
		fallback = fmt.Sprintf("/stack resource show %s %s", r.StackID(), r.Name)
	}
	id := r.PhysicalID
	if id == "" {
		return "not created", fallback
	}
	get := func(service string, path []string, into any) error {
		c, err := env.Clients.ServiceClient(ctx, service)
		if err != nil {
			return err
		}
		_, err = c.Get(ctx, c.ServiceURL(path...), into, nil) //nolint:bodyclose // closed by gophercloud
		return err
	}
	gone := func(err error) bool { return gophercloud.ResponseCodeIs(err, 404) }
	switch r.Type {
	case "OS::Nova::Server":
		var body struct {
			Server struct {
				Status string `json:"status"`
				Fault  struct {
					Message string `json:"message"`
				} `json:"fault"`
			} `json:"server"`
		}
		err := get("compute", []string{"servers", id}, &body)
		switch {
		case gone(err):
			return "server " + id + " no longer exists", fallback
		case err != nil:
			return "server unreadable: " + err.Error(), "/server show " + id
		}
		u := "server " + body.Server.Status
		if body.Server.Fault.Message != "" {
			u += ": " + oneLine(body.Server.Fault.Message)
		}
		return u, "/server show " + id
	case "OS::Neutron::Port":
		var body struct {
			Port struct {
				Status  string `json:"status"`
				VIFType string `json:"binding:vif_type"`
			} `json:"port"`
		}
		err := get("network", []string{"ports", id}, &body)
		switch {
		case gone(err):
			return "port " + id + " no longer exists", fallback
		case err != nil:
			return "port unreadable: " + err.Error(), "/port show " + id
		}
		u := "port " + body.Port.Status
		if body.Port.VIFType == "binding_failed" {
			u += ", binding failed (no agent could bind it on the host)"
		}
		return u, "/port show " + id
	case "OS::Cinder::Volume":
		var body struct {
			Volume struct {
				Status string `json:"status"`
			} `json:"volume"`
		}
		err := get("volumev3", []string{"volumes", id}, &body)
		switch {
		case gone(err):
			return "volume " + id + " no longer exists", fallback
		case err != nil:
			return "volume unreadable: " + err.Error(), "/volume show " + id
		}
		return "volume " + body.Volume.Status, "/volume show " + id
	case "OS::Neutron::Net":
		return "", "/network show " + id
	case "OS::Neutron::Subnet":
		return "", "/subnet show " + id
	case "OS::Neutron::Router":
		return "", "/router show " + id
	case "OS::Neutron::SecurityGroup":
		return "", "/security-group show " + id
	}
	if strings.HasPrefix(r.Type, "OS::Heat::") && strings.Contains(r.Type, "Group") || strings.HasSuffix(r.Type, ".yaml") || r.Type == "OS::Heat::Stack" {
		return "a nested stack", fmt.Sprintf("/stack resource list %s --nested-depth %d", id, orchestration.MaxNestedDepth)
	}
	return "", fallback
}

func triage(ctx context.Context, env *tools.Env, args TriageArgs) (*tools.Result, error) {
	s, found, err := Triage(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	out := &tools.List{Columns: []tools.Column{
		{Name: "Resource"}, {Name: "Type"}, {Name: "Status", Kind: tools.Status}, {Name: "Reason"},
		{Name: "Underlying"}, {Name: "Show"}, {Name: "Physical ID", Long: true},
	}}
	for _, f := range found {
		out.Rows = append(out.Rows, []any{f.Path, f.Type, f.Status, f.Reason, f.Underlying, f.Show, nilIfEmpty(f.PhysicalID)})
	}
	var msg string
	switch {
	case len(found) > 0:
		msg = fmt.Sprintf("stack %s is %s: %s; %d failed resource(s) below, each with the command that shows it", s.Name, s.Status, oneLine(s.StatusReason), len(found))
	case s.Failed():
		msg = fmt.Sprintf("stack %s is %s: %s; no resource is marked failed", s.Name, s.Status, oneLine(s.StatusReason))
	default:
		msg = fmt.Sprintf("stack %s is %s; no resource failed", s.Name, s.Status)
	}
	return &tools.Result{List: out, Message: msg}, nil
}
