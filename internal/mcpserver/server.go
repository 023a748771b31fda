// Package mcpserver is ostui's MCP front end (`ostui mcp`): another
// front end of the one engine in agent/session, not a second workflow.
// Every read tool of the registry is an MCP tool that runs through the
// gate's read path; a change reaches the cloud only as a plan handed to
// the one tool propose_plan, which the engine validates, preflights and
// dry-runs like any other plan and then puts to the person at the
// client through MCP elicitation. Without --allow-changes, or with a
// client that cannot show a plan to a person, changes are refused.
//
// Results leave ostui redacted as they would for ostui's own model: the
// client's model is no more trusted than that one.
package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/tools"
)

// DefaultBudget is how many characters of one read's result a client
// gets when Config gives no budget: more than ostui's own model gets
// (MCP clients' models have wide windows), still bounded, since a
// console log or a long list would otherwise flood the client's context.
const DefaultBudget = 20000

// protocolVersions are the MCP versions served. From 2026-07-28 on, a
// server may no longer send an elicitation request while a tool call is
// open (it must return the question and be called again); approval here
// is one engine turn that waits for the person's answer, so the server
// speaks the versions in which elicitation is a request of its own
// (2025-06-18 introduced it). See docs/adr/0011-mcp-go-sdk.md.
var protocolVersions = []string{"2025-11-25", "2025-06-18"}

// Config is what a server needs.
type Config struct {
	// Registry holds the tools.
	Registry *tools.Registry
	// NewEngine makes the engine for one MCP session (stdio has one; over
	// HTTP each client session gets its own), so grants, caches and turns
	// never cross between clients. The server sets the engine's mode.
	NewEngine func() *session.Engine
	// AllowChanges lets propose_plan reach the person (--allow-changes);
	// without it every plan is refused and the engine is read-only.
	AllowChanges bool
	// Budget is the characters of one read result (0: DefaultBudget).
	Budget int
	// Explain turns an error into one a person (or a client's model) can
	// act on; nil keeps errors as they are.
	Explain func(error) error
	// Version is ostui's version, reported to clients.
	Version string
}

// Server serves ostui's tools over MCP.
type Server struct {
	cfg   Config
	mcp   *mcp.Server
	reads map[string]string // MCP tool name → registry tool name

	mu      sync.Mutex
	engines map[*mcp.ServerSession]*engine
}

// engine is one MCP session's engine. Plans are taken one at a time: a
// person answers one elicitation before the next plan is reviewed.
type engine struct {
	*session.Engine
	changes sync.Mutex
}

// New builds the server and its tool list; nothing connects to the cloud
// until a client calls a tool.
func New(cfg Config) (*Server, error) {
	if cfg.Registry == nil || cfg.NewEngine == nil {
		return nil, errors.New("mcpserver: a registry and an engine maker are required")
	}
	if cfg.Budget <= 0 {
		cfg.Budget = DefaultBudget
	}
	if cfg.Explain == nil {
		cfg.Explain = func(err error) error { return err }
	}
	s := &Server{cfg: cfg, reads: map[string]string{}, engines: map[*mcp.ServerSession]*engine{}}
	s.mcp = mcp.NewServer(&mcp.Implementation{Name: "ostui", Title: "ostui — OpenStack", Version: cfg.Version}, &mcp.ServerOptions{
		Instructions:              instructions(cfg.AllowChanges),
		Capabilities:              &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}},
		SupportedProtocolVersions: protocolVersions,
	})
	if err := s.addTools(); err != nil {
		return nil, err
	}
	return s, nil
}

// instructions tell a client's model how to use the server.
func instructions(allowChanges bool) string {
	msg := "ostui answers questions about one OpenStack cloud. Every tool but propose_plan and describe_tool reads the cloud and changes nothing. "
	if !allowChanges {
		return msg + "This server was started without --allow-changes: it only reads; propose_plan refuses every plan."
	}
	return msg + "To change the cloud, call describe_tool for the change tools you need, then propose_plan with a plan (goal and steps). " +
		"ostui checks the plan against the cloud and shows it to the person at this client, who approves or declines it; the result says what ran."
}

// MCP is the underlying MCP server, for callers that bring their own
// transport (tests use in-memory ones).
func (s *Server) MCP() *mcp.Server { return s.mcp }

// ServeStdio serves one client on standard input and output until it
// disconnects or ctx ends. Nothing else may write to standard output.
func (s *Server) ServeStdio(ctx context.Context) error {
	return s.Serve(ctx, &mcp.StdioTransport{})
}

// Serve serves one client over t until it disconnects or ctx ends.
func (s *Server) Serve(ctx context.Context, t mcp.Transport) error {
	if err := s.mcp.Run(ctx, t); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("mcp: %w", err)
	}
	return nil
}

// Handler serves MCP's streamable HTTP transport. Each client session
// gets its own engine. Requests that reach a loopback address under a
// host name that is not loopback are refused (DNS rebinding), as are
// cross-origin browser requests.
func (s *Server) Handler() http.Handler {
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s.mcp }, nil)
	return http.NewCrossOriginProtection().Handler(h)
}

// engineFor returns the engine of a client session, making it on first
// use; it is forgotten when the session ends.
func (s *Server) engineFor(ss *mcp.ServerSession) *engine {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.engines[ss]; ok {
		return e
	}
	e := &engine{Engine: s.cfg.NewEngine()}
	if !s.cfg.AllowChanges {
		// propose_plan refuses first; the engine refuses too.
		e.LockReadOnly()
	}
	s.engines[ss] = e
	if ss != nil {
		go func() {
			_ = ss.Wait()
			s.mu.Lock()
			delete(s.engines, ss)
			s.mu.Unlock()
		}()
	}
	return e
}
