package cli

import (
	"github.com/kriscelmer/os-tui/internal/privacy"
	"github.com/kriscelmer/os-tui/internal/render"
)

// SetPrivacy turns privacy mode on (--privacy): public IPs, user and
// project names, IDs, MACs, fingerprints and keys are shown as
// placeholders that stay the same for the whole session. Off: nil.
func (s *Shell) SetPrivacy(on bool) {
	if !on {
		s.privacy = nil
		return
	}
	s.privacy = privacy.New()
	s.learnNames()
}

// Privacy is the session's masker, nil when privacy mode is off. Views
// mask what they draw with it.
func (s *Shell) Privacy() *privacy.Masker { return s.privacy }

// learnNames tells the masker the current user and project, which are
// not always in a column that names them (a network called demo-net).
func (s *Shell) learnNames() {
	if s.privacy == nil || s.cfg == nil {
		return
	}
	s.privacy.AddName(privacy.User, s.cfg.Username)
	s.privacy.AddName(privacy.Project, s.cfg.ProjectName)
}

// screen adds the privacy mask to output options when privacy is on.
func (s *Shell) screen(opts render.Options) render.Options {
	if s.privacy != nil {
		opts.Mask = s.privacy.Cell
	}
	return opts
}

// masked is text as privacy mode shows it.
func (s *Shell) masked(text string) string {
	if s.privacy == nil {
		return text
	}
	return s.privacy.Text(text)
}

// viewMasker is the masker views toggle with their privacy key: the
// session's under --privacy, else one kept for the session so the
// placeholders stay the same each time a view masks.
func (s *Shell) viewMasker() *privacy.Masker {
	if s.privacy != nil {
		return s.privacy
	}
	if s.viewMask == nil {
		s.viewMask = privacy.New()
		if s.cfg != nil {
			s.viewMask.AddName(privacy.User, s.cfg.Username)
			s.viewMask.AddName(privacy.Project, s.cfg.ProjectName)
		}
	}
	return s.viewMask
}
