package views

import (
	"context"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/tools"
)

// Backend is everything a view may ask of the session: reads through the
// gate's read path, and plans through the one approval workflow. It is
// the session engine (EngineBackend) in the product and a fake in tests;
// a view never holds a cloud client (internal/archtest refuses one that
// imports gophercloud or internal/cloud).
type Backend interface {
	// Registry lists the tools: the browser offers every list tool it
	// holds, and actions from the change tools of the same noun.
	Registry() *tools.Registry
	// Read runs a read tool (validated, read-only).
	Read(ctx context.Context, tool string, args tools.Args) (*tools.Result, error)
	// Check preflights and dry-runs a plan without running it.
	Check(ctx context.Context, p *plan.Plan) (*gate.Review, error)
	// Submit takes a plan through the gate, ap (the person) and the
	// executor; see session.Engine.Submit.
	Submit(ctx context.Context, p *plan.Plan, ap session.Approver) (*session.Outcome, error)
	// ReadOnly reports a session started with --read-only: views show a
	// marker and offer no change.
	ReadOnly() bool
}

// EngineBackend is the Backend of a session engine.
type EngineBackend struct{ Engine *session.Engine }

// Registry implements Backend.
func (b EngineBackend) Registry() *tools.Registry { return b.Engine.Registry }

// Read implements Backend. A view's read is the person's own, like a
// slash command's.
func (b EngineBackend) Read(ctx context.Context, tool string, args tools.Args) (*tools.Result, error) {
	return b.Engine.Read(ctx, plan.OriginSlash, tool, args)
}

// Check implements Backend.
func (b EngineBackend) Check(ctx context.Context, p *plan.Plan) (*gate.Review, error) {
	return b.Engine.Check(ctx, p)
}

// Submit implements Backend.
func (b EngineBackend) Submit(ctx context.Context, p *plan.Plan, ap session.Approver) (*session.Outcome, error) {
	return b.Engine.Submit(ctx, p, ap)
}

// ReadOnly implements Backend.
func (b EngineBackend) ReadOnly() bool { return b.Engine.ReadOnly() }
