package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/router"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/audit"
	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/internal/commands"
	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/internal/privacy"
	"github.com/kriscelmer/os-tui/internal/render"
	"github.com/kriscelmer/os-tui/internal/secrets"
	"github.com/kriscelmer/os-tui/internal/termtext"
	"github.com/kriscelmer/os-tui/tools"
)

// Shell is the terminal front end of one session: the registry, the
// current cloud and its caches, and the engine every plan and read goes
// through. The REPL, -c and piped input all run lines through Execute.
// The shell renders the engine's events and answers its approval
// requests; the workflow itself lives in agent/session.
type Shell struct {
	IO       *iostreams.IOStreams
	Registry *tools.Registry
	Router   *router.Router
	Flags    config.Flags
	Getenv   func(string) string
	Paths    Paths
	Debug    bool
	Offline  bool
	Timeout  time.Duration
	// Yes approves a slash command's or recipe's plan that passed
	// preflight (--yes, one-shot only); never a model's plan.
	Yes bool
	// Asker reads the person's answers; nil when nobody can answer.
	Asker Asker

	// LLM is the model; nil when offline.
	LLM llm.Client

	engine            *session.Engine
	llmConfig         *llm.Config
	modelModeOverride string
	audit             *audit.Log
	auditTried        bool
	cfg               *config.Cloud
	cfgErr            error
	warnings          []config.Warning
	env               *tools.Env
	conn              *cloud.Conn
	login             loginState
	events            *eventView
	privacy           *privacy.Masker
	// viewMask masks views when privacy is turned on there (the p key)
	// in a session started without --privacy.
	viewMask *privacy.Masker
	views    viewState
	// interactive is the REPL at a terminal (not -c, not piped input):
	// full-screen views may open.
	interactive bool
}

// NewShell builds a session. It reads configuration but does not touch
// the network.
func NewShell(ios *iostreams.IOStreams, reg *tools.Registry, flags config.Flags, getenv func(string) string, paths Paths) *Shell {
	s := &Shell{
		IO:       ios,
		Registry: reg,
		Router:   router.New(reg, BuiltinNames()),
		Flags:    flags,
		Getenv:   getenv,
		Paths:    paths,
		Timeout:  30 * time.Second,
	}
	s.events = newEventView(s)
	s.engine = &session.Engine{
		Registry: reg,
		Env:      s.environment,
		Scope:    s.scope,
		Events:   s.events.show,
	}
	s.engine.Audit = s
	s.engine.Model = session.ModelConfig{
		PromptData:  s.promptData,
		TokenBudget: tokenBudget(getenv),
		SessionDir:  session.Dir(paths.StateDir),
		Secrets:     s.secrets,
	}
	s.loadConfig()
	return s
}

// Engine is the session engine behind the shell.
func (s *Shell) Engine() *session.Engine { return s.engine }

// SetModel connects a model (nil: offline).
func (s *Shell) SetModel(c llm.Client, cfg *llm.Config) {
	s.LLM, s.llmConfig = c, cfg
	s.engine.Model.LLM = c
}

// scope says who and where, for the audit log.
func (s *Shell) scope() session.Scope {
	c := s.cfg
	if c == nil {
		return session.Scope{}
	}
	return session.Scope{Cloud: c.Name, Project: firstNonEmpty(c.ProjectName, c.ProjectID), User: firstNonEmpty(c.Username, c.UserID), Region: c.Region}
}

// secrets are the current cloud's credentials, redacted from saved
// conversations.
func (s *Shell) secrets() []string {
	var out []string
	if c := s.cfg; c != nil {
		out = append(out, c.Password, c.ApplicationCredentialSecret, c.Token)
	}
	// The model's key, and secrets /login kept for this session only: a
	// person who pastes one into a question must not find it saved.
	if m := s.llmConfig; m != nil && m.APIKey != "" {
		out = append(out, m.APIKey)
	}
	for _, v := range s.login.secrets {
		out = append(out, v)
	}
	return out
}

// approver is who answers the engine's questions: the person at the
// terminal, --yes for the person's own commands, or nobody (fail closed).
func (s *Shell) approver() session.Approver {
	ap := session.FailClosed
	if s.Asker != nil {
		ap = &terminalApprover{s: s}
	}
	if s.Yes {
		return session.WithYes(ap)
	}
	return ap
}

// loadConfig resolves the cloud from flags, environment and files. A
// failure is kept and reported when a command needs the cloud, so /help and
// the offline note still work without any configuration.
func (s *Shell) loadConfig() {
	// config.Load moves a name and its ID together, so a project chosen
	// by name here replaces a project ID from clouds.yaml.
	cfg, warnings, err := config.Load(s.Flags, s.Getenv)
	fillStoredSecrets(cfg, s.Getenv, s.IO.ErrOut)
	s.cfg, s.warnings, s.cfgErr = cfg, warnings, err
	s.conn, s.env = nil, nil
	s.learnNames()
	if s.engine != nil {
		// A grant given for one cloud, project or region is not one for
		// another.
		s.engine.ResetGrants()
	}
}

// Append records to the audit log, which is opened the first time
// something is recorded (a read-only session never creates it). A log
// that cannot be opened is a warning, not a stop.
func (s *Shell) Append(r audit.Record) error {
	if !s.auditTried {
		s.auditTried = true
		log, err := audit.Open(audit.DefaultPath(s.Paths.StateDir))
		if err != nil {
			fmt.Fprintln(s.IO.ErrOut, "warning: the audit log cannot be opened: "+err.Error())
		}
		s.audit = log
	}
	if s.audit == nil {
		return nil
	}
	return s.audit.Append(r)
}

// Warnings returns configuration warnings (world-readable secure.yaml...).
func (s *Shell) Warnings() []config.Warning { return s.warnings }

// ConfigError is the error met resolving the cloud, if any.
func (s *Shell) ConfigError() error { return s.cfgErr }

// environment connects lazily: the first command that needs the cloud
// builds the connection, which authenticates (or reuses a cached token)
// on its first request.
func (s *Shell) environment() (*tools.Env, error) {
	if s.env != nil {
		return s.env, nil
	}
	if s.cfgErr != nil {
		return nil, s.cfgErr
	}
	opts := cloud.Options{
		CacheDir:  s.Paths.CacheDir,
		Timeout:   s.Timeout,
		UserAgent: "ostui/" + Version(),
	}
	if s.Debug {
		opts.Debug = s.IO.ErrOut
	}
	// A v3totp cloud (or a multi-factor rule) asks for the passcode at
	// the terminal; without one the login says to run ostui login cloud.
	if ask := s.login.askSecret; ask != nil {
		opts.Passcode = func(_ context.Context, prompt string) (string, error) { return ask(prompt) }
	}
	opts.Notice = s.IO.ErrOut
	s.conn = cloud.New(s.cfg, opts)
	s.env = tools.NewEnv(s.conn)
	return s.env, nil
}

// Prompt shows the cloud, project and region.
func (s *Shell) Prompt() string {
	cs := s.IO.ColorScheme()
	if s.cfg == nil {
		return cs.Yellow("(no cloud)") + "> "
	}
	project := s.cfg.ProjectName
	if project == "" {
		project = s.cfg.ProjectID
	}
	where := s.cfg.Name
	if project != "" {
		where += ":" + s.masked(project)
	}
	if s.cfg.Region != "" {
		where += "@" + s.cfg.Region
	}
	return cs.Cyan(where) + "> "
}

// Execute runs one line. It returns quit when the line asks to leave.
func (s *Shell) Execute(ctx context.Context, line string) (quit bool, err error) {
	line, _ = tagsFixLine(line)
	intent, err := s.Router.Route(line)
	if ue, ok := s.wantsWizard(err); ok {
		return false, s.wizard(ctx, ue.Tool, strings.TrimPrefix(strings.TrimSpace(line), "/"))
	}
	if err != nil {
		return false, err
	}
	switch in := intent.(type) {
	case router.Empty:
		return false, nil
	case router.Prose:
		return false, s.prose(ctx, in.Text)
	case router.Help:
		return false, s.help(ctx, in.Topic)
	case router.Builtin:
		return s.builtin(ctx, in)
	case router.Call:
		if in.Tool.Effect != tools.Read {
			return false, s.change(ctx, in, line)
		}
		return false, s.call(ctx, in)
	}
	return false, fmt.Errorf("unhandled input %T", intent)
}

// offlineError is the answer to plain language when no model is set up.
type offlineError struct{ suggestions []string }

func (e *offlineError) Error() string {
	msg := "ostui is offline (no language model configured), so plain language cannot be answered; slash commands all work."
	if len(e.suggestions) > 0 {
		msg += "\nclosest commands: " + strings.Join(e.suggestions, ", ")
	} else {
		msg += "\ntype /help for the list of commands"
	}
	return msg
}

func (s *Shell) prose(ctx context.Context, text string) error {
	if s.LLM == nil || s.Offline {
		return &offlineError{suggestions: suggest(s.Registry, text)}
	}
	return s.ask(ctx, text)
}

func suggest(reg *tools.Registry, text string) []string { return commands.Suggest(reg, text, 3) }

func (s *Shell) available(ctx context.Context) commands.Available {
	// Help never connects just to filter itself: it uses the catalog only
	// once a cloud command has made the connection (and so learned it).
	if s.conn == nil {
		return nil
	}
	caps, err := s.conn.Capabilities(ctx)
	if err != nil {
		return nil
	}
	return caps.Has
}

func (s *Shell) help(ctx context.Context, topic string) error {
	if topic == "" {
		commands.WriteOverview(s.IO.Out, s.Registry, builtinHelp(), s.available(ctx))
		return nil
	}
	if !commands.WriteTopic(s.IO.Out, s.Registry, builtinHelp(), topic, s.available(ctx)) {
		_, err := s.Router.Route("/" + topic)
		if err != nil {
			return err
		}
		return fmt.Errorf("no help for %q; type /help for the list of commands", topic)
	}
	return nil
}

func (s *Shell) call(ctx context.Context, c router.Call) error {
	opts := render.Options{Format: c.Output.Format, Columns: c.Output.Columns, Sort: c.Output.Sort, Long: c.Output.Long}
	if err := render.ValidateOptions(opts); err != nil {
		return &router.UsageError{Tool: c.Tool, Problems: []string{err.Error()}}
	}
	res, err := s.engine.Read(ctx, plan.OriginSlash, c.Tool.Name, c.Args)
	if err != nil {
		return err
	}
	return render.Render(s.IO, res, s.screen(opts))
}

// render prints a result with default output options.
func (s *Shell) render(res *tools.Result) error {
	return render.Render(s.IO, res, s.screen(render.Options{}))
}

func (s *Shell) switchCloud(args []string) error {
	if len(args) == 0 {
		return s.describeCloud(s.IO.Out)
	}
	if len(args) > 1 {
		return &usageError{msg: "usage: /cloud [NAME]"}
	}
	old := s.Flags
	s.Flags = config.Flags{Cloud: args[0], CACert: old.CACert, Insecure: old.Insecure}
	s.loadConfig()
	if s.cfgErr != nil {
		err := s.cfgErr
		s.Flags = old
		s.loadConfig()
		return fmt.Errorf("switch to cloud %s: %w", args[0], err)
	}
	return s.describeCloud(s.IO.Out)
}

func (s *Shell) switchScope(args []string, what string) error {
	if len(args) == 0 {
		return s.describeCloud(s.IO.Out)
	}
	if len(args) > 1 {
		return &usageError{msg: fmt.Sprintf("usage: /%s [NAME]", what)}
	}
	old := s.Flags
	if what == "project" {
		s.Flags.ProjectName, s.Flags.ProjectID = args[0], ""
	} else {
		s.Flags.Region = args[0]
	}
	s.loadConfig()
	if s.cfgErr != nil {
		err := s.cfgErr
		s.Flags = old
		s.loadConfig()
		return fmt.Errorf("switch %s to %s: %w", what, args[0], err)
	}
	return s.describeCloud(s.IO.Out)
}

func (s *Shell) describeCloud(w io.Writer) error {
	if s.cfgErr != nil {
		return s.cfgErr
	}
	c := s.cfg
	project := c.ProjectName
	if project == "" {
		project = c.ProjectID
	}
	user := c.Username
	if user == "" {
		user = c.UserID
	}
	fmt.Fprintf(w, "cloud:    %s\n", c.Name)
	fmt.Fprintf(w, "auth URL: %s\n", c.AuthURL)
	if user != "" {
		fmt.Fprintf(w, "user:     %s\n", s.masked(user))
	}
	if project != "" {
		fmt.Fprintf(w, "project:  %s\n", s.masked(project))
	}
	if c.Region != "" {
		fmt.Fprintf(w, "region:   %s\n", c.Region)
	}
	if c.ConfigFile != "" {
		fmt.Fprintf(w, "from:     %s\n", c.ConfigFile)
	}
	return nil
}

// Report prints an error for a person: the cloud's errors are explained,
// usage errors keep their usage line. Nothing else (no stack) is printed.
func (s *Shell) Report(err error) {
	if err == nil {
		return
	}
	var se *silentError
	if errors.As(err, &se) {
		return
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(s.IO.ErrOut, "cancelled")
		return
	}
	var de *session.DeclinedError
	if errors.As(err, &de) {
		fmt.Fprintln(s.IO.ErrOut, s.masked(err.Error()))
		return
	}
	var oe *offlineError
	if errors.As(err, &oe) {
		fmt.Fprintln(s.IO.ErrOut, err.Error())
		return
	}
	if s.conn != nil {
		err = s.conn.Explain(err)
	} else {
		err = cloud.Explain(err)
	}
	cs := s.IO.ColorScheme()
	// Error text can carry names and messages from the cloud or a model,
	// and echo what was typed ("unexpected argument password=..."): it is
	// redacted like everything else ostui prints.
	msg := termtext.SafeMultiline(s.masked(secrets.RedactString(err.Error())))
	first, rest, _ := strings.Cut(msg, "\n")
	fmt.Fprintln(s.IO.ErrOut, cs.Red("error: ")+first)
	if rest != "" {
		fmt.Fprintln(s.IO.ErrOut, rest)
	}
}
