package cli

import "context"

// overviewView opens the overview full screen.
func (s *Shell) overviewView(ctx context.Context) error {
	return s.overviewCommand(ctx, []string{"--text"})
}

// fleetView opens the all-clouds overview full screen.
func (s *Shell) fleetView(ctx context.Context) error {
	return s.allCloudsCommand(ctx, true)
}
