package session

import (
	"encoding/json"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/agent/planner"
	"github.com/kriscelmer/os-tui/tools"
)

// What an agent outside the person sees — ostui's own model and an MCP
// client alike — is decided here, by one policy: the read tools as
// functions with self-contained schemas, no argument that redirects
// credentials or scope, results redacted and cut to a budget, and changes
// only as a plan through Submit. Front ends take it from the engine rather
// than from the planner, which is the model loop and nothing else's.

// Function names every agent is offered beside the read tools.
const (
	ProposePlanFunction  = planner.ProposePlanFunction
	DescribeToolFunction = planner.DescribeToolFunction
)

// AgentFunctions are the functions an agent is offered: every read tool
// whose service is offered (nil: all), describe_tool and propose_plan.
func AgentFunctions(reg *tools.Registry, offered func(service string) bool) []llm.Function {
	return planner.Functions(reg, offered)
}

// ToolName reverses a function name to the tool's ("server__list" →
// "server.list"); false for a name no tool could have produced.
func ToolName(fn string) (string, bool) { return planner.ToolName(fn) }

// DescribeTool is describe_tool's answer: a change tool's arguments.
func DescribeTool(reg *tools.Registry, name string) (string, error) {
	return planner.DescribeTool(reg, name)
}

// ForbiddenArgs lists the arguments an agent may not set (credentials,
// scope, local files).
func ForbiddenArgs(args json.RawMessage) []string { return planner.ForbiddenArgs(args) }

// Redacted is a result as an agent may see it: secrets removed.
func Redacted(res *tools.Result) *tools.Result { return planner.Redacted(res) }

// Truncate cuts text to a budget, head and tail, with a note to narrow
// the query.
func Truncate(s string, budget int) string { return planner.Truncate(s, budget) }

// FunctionName is a tool's name as an agent calls it ("server.list" →
// "server__list").
func FunctionName(tool string) string { return planner.FunctionName(tool) }

// Fence is a result as an agent reads it: redacted, cut to budget (0: the
// default) and fenced as data, as every read tool's result is. A front
// end that hands the model data it read itself (/advise's security
// audit) fences it the same way.
func Fence(tool string, res *tools.Result, budget int) string {
	return planner.Fence(tool, res, budget)
}
