package cloudlogin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/audit"
	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/render/review"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

// errDeclined: the person answered no to the application credential; the
// login keeps the password instead.
var errDeclined = errors.New("declined")

// loginEngine is the session engine a login makes its changes through:
// the tools of the registry on the login's own connection, every review
// printed to opts.Out, and the audit log of the state directory. close
// closes the audit log.
func loginEngine(opts Options, conn *cloud.Conn, cfg *config.Cloud, info *cloud.TokenInfo) (eng *session.Engine, closeAudit func(), err error) {
	reg, err := toolset.Registry()
	if err != nil {
		return nil, nil, err
	}
	env := tools.NewEnv(conn)
	log, err := audit.Open(audit.DefaultPath(stateDir(opts)))
	if err != nil {
		// As in the shell: a log that cannot be opened is a warning.
		fmt.Fprintln(opts.Out, "warning: the audit log cannot be opened: "+err.Error())
		log = nil
	}
	eng = &session.Engine{
		Registry: reg,
		Env:      func() (*tools.Env, error) { return env, nil },
		Scope: func() session.Scope {
			return session.Scope{Cloud: cfg.Name, Project: orID(info.ProjectName, info.ProjectID), User: orID(info.UserName, info.UserID), Region: cfg.Region}
		},
		Events: func(ev session.Event) {
			if r, ok := ev.(session.ReviewReady); ok {
				fmt.Fprint(opts.Out, review.Plain(r.Review))
			}
		},
	}
	if log != nil {
		eng.Audit = log
		return eng, func() { _ = log.Close() }, nil
	}
	return eng, func() {}, nil
}

// stateDir is where the audit log lives: opts.StateDir, or ostui's state
// directory as the shell finds it (OSTUI_STATE_DIR, XDG_STATE_HOME/ostui,
// ~/.local/state/ostui), so a login's changes are in the same log as the
// shell's.
func stateDir(opts Options) string {
	if opts.StateDir != "" {
		return opts.StateDir
	}
	if d := os.Getenv("OSTUI_STATE_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "ostui")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "state", "ostui")
}

// loginApprover answers the engine for a login. A credential asked for
// on the command line (--app-credential, --reader, --access-rule) is
// approved as --yes approves a slash command: the person asked for this
// very change, and the review printed above says what it is. Otherwise
// the login's question is the approval, asked after the review; yes
// checks that the secret can be kept before approving. Nothing else
// (a blocked plan to edit, an undo to review) is approved.
func loginApprover(opts Options, cfg *config.Cloud) session.Approver {
	return session.ApproverFunc(func(_ context.Context, req session.Request) (session.Decision, error) {
		if req.Kind != session.ApprovePlan {
			return session.Decision{Verdict: session.Deny}, nil
		}
		if opts.AppCredential == Yes {
			return session.Decision{Verdict: session.Approve, By: gate.ByFlag}, nil
		}
		yes, err := askYes(opts.Prompt, "Create an application credential and store it instead of the password? [Y/n] ")
		if err != nil {
			return session.Decision{}, err
		}
		if !yes {
			return session.Decision{Verdict: session.Deny, Reason: "declined at ostui login cloud; the password is kept instead"}, nil
		}
		if err := canStoreAppCred(cfg, opts); err != nil {
			return session.Decision{}, err
		}
		return session.Decision{Verdict: session.Approve}, nil
	})
}
