package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/tools"
)

// addTools offers what ostui's own model is offered, from the same
// builder: one tool per read tool (named as the model's functions are,
// "server__list", which every model provider accepts), with the same
// compact, self-contained schema from which credential- and
// scope-redirecting arguments are removed; describe_tool; and
// propose_plan. Change tools are never tools of their own.
//
// Every read tool is offered, whatever the cloud's catalog: listing
// tools must not need the cloud (a client lists them at start, before
// anyone asked anything), and a read whose service is missing says so.
func (s *Server) addTools() error {
	fns := session.AgentFunctions(s.cfg.Registry, nil)
	for _, fn := range fns {
		t := &mcp.Tool{Name: fn.Name, Description: fn.Description, InputSchema: fn.Parameters}
		switch fn.Name {
		case session.ProposePlanFunction:
			t.Annotations = &mcp.ToolAnnotations{Title: "Propose a change (the person approves it)", DestructiveHint: ptr(true), OpenWorldHint: ptr(true)}
			t.OutputSchema = outcomeSchema
			if !s.cfg.AllowChanges {
				t.Description += " This server was started without --allow-changes: every plan is refused."
			}
			s.mcp.AddTool(t, s.proposePlan)
		case session.DescribeToolFunction:
			t.Annotations = &mcp.ToolAnnotations{Title: "Describe a change tool", ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: ptr(false)}
			s.mcp.AddTool(t, s.describeTool)
		default:
			name, ok := session.ToolName(fn.Name)
			if !ok {
				return fmt.Errorf("mcpserver: function %q names no tool", fn.Name)
			}
			tool, ok := s.cfg.Registry.Lookup(name)
			if !ok || tool.Effect != tools.Read {
				return fmt.Errorf("mcpserver: %q is offered as a read but is not one", name)
			}
			t.Annotations = &mcp.ToolAnnotations{Title: tool.Slash(), ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: ptr(true)}
			s.reads[fn.Name] = name
			s.mcp.AddTool(t, s.read)
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// read runs one read tool through the engine's read path: validated
// against the tool's real schema, refused unless the tool only reads and
// its service is in the catalog. Failures come back as tool results with
// isError, so the client's model can correct itself.
func (s *Server) read(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	name, ok := s.reads[req.Params.Name]
	if !ok {
		return statusResult(statusInvalid, true, fmt.Sprintf("no read tool %q", req.Params.Name)), nil
	}
	args := arguments(req.Params.Arguments)
	if !json.Valid(args) {
		return statusResult(statusInvalid, true, "the arguments are not valid JSON"), nil
	}
	// Credentials and scope are the person's to choose, when they start
	// the server; the schema offered leaves them out, and a client that
	// sets them anyway is refused (the tool's own schema may accept them
	// from a person).
	if bad := session.ForbiddenArgs(args); len(bad) > 0 {
		return statusResult(statusInvalid, false, strings.Join(bad, ", ")+" may not be set by an MCP client; they are chosen when ostui mcp starts (--os-cloud and the other global flags)"), nil
	}
	e := s.engineFor(req.Session)
	res, err := e.Read(ctx, plan.OriginMCP, name, args)
	if err != nil {
		var ae *tools.ArgsError
		if errors.As(err, &ae) {
			return statusResult(statusInvalid, true, ae.Problems...), nil
		}
		return statusResult(statusFailed, true, s.cfg.Explain(err).Error()), nil
	}
	return readResult(res, s.cfg.Budget), nil
}

// describeTool answers describe_tool: a change tool's summary, effect,
// argument schema (as the model sees it) and the outputs later steps may
// reference.
func (s *Server) describeTool(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	return describe(s.cfg.Registry, arguments(req.Params.Arguments)), nil
}

// describe is describe_tool's answer; a bad request is a failed result.
func describe(reg *tools.Registry, args tools.Args) *mcp.CallToolResult {
	var a struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(args, &a); err != nil {
		return statusResult(statusInvalid, true, "describe_tool takes {\"name\": TOOL}: "+err.Error())
	}
	desc, err := session.DescribeTool(reg, a.Name)
	if err != nil {
		return statusResult(statusInvalid, true, err.Error())
	}
	var structured map[string]any
	if err := json.Unmarshal([]byte(desc), &structured); err != nil {
		return statusResult(statusFailed, false, "describe "+a.Name+": "+err.Error())
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: desc}}, StructuredContent: structured}
}

// arguments treats absent arguments as an empty object.
func arguments(raw json.RawMessage) tools.Args {
	args := tools.Args(strings.TrimSpace(string(raw)))
	if len(args) == 0 || string(args) == "null" {
		return tools.Args("{}")
	}
	return args
}
