package cli

import (
	"context"

	ovview "github.com/kriscelmer/os-tui/internal/views/overview"
)

// overviewView opens the overview full screen.
func (s *Shell) overviewView(ctx context.Context) error {
	return s.runOverviewView(ctx, ovview.Project)
}

// fleetView opens the all-clouds overview full screen.
func (s *Shell) fleetView(ctx context.Context) error {
	return s.runOverviewView(ctx, ovview.Fleet)
}

// runOverviewView shows the overview in mode; a scope chosen with Enter
// (fleet or search) becomes the session's, as /cloud would make it.
func (s *Shell) runOverviewView(ctx context.Context, mode ovview.Mode) error {
	deps := s.viewDeps(ctx)
	// The view masks with its own toggle (p), starting on under --privacy.
	deps.Mask = nil
	m := ovview.New(deps, ovview.Options{
		Scope:   s.currentScope().String(),
		Targets: s.targets,
		Mask:    s.viewMasker().Cell,
		Private: s.privacy != nil,
		Start:   mode,
	})
	if err := s.runView(ctx, m); err != nil {
		return err
	}
	if fm, ok := s.views.last.(ovview.Model); ok && fm.Chosen != nil {
		chosen := *fm.Chosen
		fm.Chosen = nil
		s.views.last = fm
		return s.switchToScope(chosen)
	}
	return nil
}
