package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/audit"
	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/internal/mcpserver"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

const mcpUsage = `usage: ostui [cloud flags] mcp [--allow-changes] [--http ADDR [--http-any]] [cloud flags]

Serves ostui to an MCP client (an assistant app or an editor): every read
command is a tool the client's model may call; a change is only ever a plan
handed to the tool propose_plan, which ostui checks against the cloud and
shows to the person at the client (MCP elicitation) before anything runs.

  --allow-changes   accept plans at all (without it the server only reads,
                    and propose_plan refuses every plan); a client that
                    cannot show a plan to a person is refused even then
  --http ADDR       serve streamable HTTP on ADDR (such as 127.0.0.1:8765)
                    instead of standard input and output; only loopback
                    addresses are accepted
  --http-any        accept a non-loopback --http address; there is no login:
                    whoever reaches the port reads the cloud as you
  -h, --help        show this help

The cloud flags (--os-cloud NAME and the rest, see ostui --help) choose the
cloud and may come before or after the word mcp. The client can never choose
another cloud, project or region. Every approved, declined or refused change
goes to the audit log with origin "mcp".

A client configuration that starts it (see docs/mcp.md):

  {"mcpServers": {"ostui": {"command": "ostui", "args": ["mcp", "--os-cloud", "devcloud"]}}}`

// mcpOptions are ostui mcp's own flags.
type mcpOptions struct {
	allowChanges bool
	http         string
	httpAny      bool
	help         bool
}

// runMCP is `ostui mcp`: the MCP front end of the engine, on standard
// input and output or on streamable HTTP.
func runMCP(ctx context.Context, ios *iostreams.IOStreams, args []string, o *options, getenv func(string) string) error {
	mo, err := parseMCPFlags(args, o)
	if err != nil {
		return err
	}
	if mo.help {
		fmt.Fprintln(ios.Out, mcpUsage)
		return nil
	}
	if mo.httpAny && mo.http == "" {
		return &usageError{msg: "ostui mcp: --http-any goes with --http ADDR"}
	}
	if mo.allowChanges && o.readOnly {
		return &usageError{msg: "ostui mcp: --allow-changes and --read-only contradict each other"}
	}
	if mo.http != "" {
		if err := mcpserver.CheckListen(mo.http, mo.httpAny); err != nil {
			return &usageError{msg: "ostui mcp: " + err.Error()}
		}
	}
	reg, err := toolset.Registry()
	if err != nil {
		return fmt.Errorf("load tools: %w", err)
	}
	c := newMCPCloud(ios, o, getenv, reg)
	defer c.close()
	srv, err := mcpserver.New(mcpserver.Config{
		Registry:     reg,
		NewEngine:    c.engine,
		AllowChanges: mo.allowChanges,
		Explain:      c.explain,
		Version:      Version(),
	})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	what := "reads only (start with --allow-changes to let the client propose changes)"
	if mo.allowChanges {
		what = "reads, and changes the person at the client approves"
	}
	if mo.http == "" {
		// Standard output is the protocol's: everything else goes to
		// standard error, which MCP clients show as the server's log.
		fmt.Fprintf(ios.ErrOut, "ostui mcp: serving %s over stdio: %s\n", c.name(), what)
		return srv.Serve(ctx, &mcp.IOTransport{Reader: io.NopCloser(ios.In), Writer: nopWriteCloser{ios.Out}})
	}
	return srv.ListenAndServe(ctx, mo.http, func(a net.Addr) {
		fmt.Fprintf(ios.ErrOut, "ostui mcp: serving %s at http://%s/ (streamable HTTP): %s\n", c.name(), a, what)
	})
}

// parseMCPFlags reads ostui mcp's flags and the global flags that may
// follow the word mcp (ostui mcp --os-cloud devcloud, as client
// configurations are usually written); those override the same flags
// given before it.
func parseMCPFlags(args []string, o *options) (*mcpOptions, error) {
	mo := &mcpOptions{}
	fs := flag.NewFlagSet("ostui mcp", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	// Global flags are collected as typed and applied to o after the
	// parse, through their own definitions (a flag defined on a set resets
	// its field, which would lose what was given before mcp).
	type given struct {
		def   flagDef
		name  string
		value string
	}
	var globals []given
	for _, f := range globalFlags {
		for _, name := range []string{f.name, f.short} {
			if name == "" {
				continue
			}
			collect := func(v string) error {
				globals = append(globals, given{def: f, name: name, value: v})
				return nil
			}
			if f.arg == "" {
				fs.BoolFunc(name, "", collect)
			} else {
				fs.Func(name, "", collect)
			}
		}
	}
	def, _ := subcommandNamed("mcp")
	for _, f := range def.flags {
		for _, name := range []string{f.name, f.short} {
			if name == "" || fs.Lookup(name) != nil {
				continue
			}
			switch f.name {
			case "http":
				fs.StringVar(&mo.http, name, "", "")
			case "allow-changes":
				fs.BoolVar(&mo.allowChanges, name, false, "")
			case "http-any":
				fs.BoolVar(&mo.httpAny, name, false, "")
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, &usageError{msg: "ostui mcp: " + flagProblem(err, def.flags) + "\nRun 'ostui mcp --help' for usage."}
	}
	if fs.NArg() > 0 {
		return nil, &usageError{msg: fmt.Sprintf("ostui mcp: unexpected argument %q\nRun 'ostui mcp --help' for usage.", fs.Arg(0))}
	}
	apply := flag.NewFlagSet("apply", flag.ContinueOnError)
	apply.SetOutput(io.Discard)
	for _, g := range globals {
		switch g.def.name {
		case "help":
			mo.help = true
			continue
		case "c", "yes", "resume", "version":
			return nil, &usageError{msg: fmt.Sprintf("ostui mcp: %s does not go with mcp", g.def.spelling())}
		}
		if apply.Lookup(g.name) == nil {
			g.def.bind(apply, o, g.name)
		}
		if err := apply.Set(g.name, g.value); err != nil {
			return nil, &usageError{msg: fmt.Sprintf("ostui mcp: invalid value %q for %s: %v", g.value, g.def.spelling(), err)}
		}
	}
	if o.timeout <= 0 {
		return nil, &usageError{msg: "ostui mcp: --timeout must be positive"}
	}
	return mo, nil
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// mcpCloud is the cloud behind every engine of one ostui mcp process:
// the configuration, one lazy connection (and its token cache), and the
// audit log, opened when the first record is written. Each MCP session's
// engine gets its own tools.Env (name caches) over the shared connection.
type mcpCloud struct {
	ios   *iostreams.IOStreams
	o     *options
	paths Paths
	reg   *tools.Registry

	cfg    *config.Cloud
	cfgErr error

	connOnce sync.Once
	conn     atomic.Pointer[cloud.Conn]

	auditMu    sync.Mutex
	auditLog   *audit.Log
	auditTried bool
}

func newMCPCloud(ios *iostreams.IOStreams, o *options, getenv func(string) string, reg *tools.Registry) *mcpCloud {
	c := &mcpCloud{ios: ios, o: o, paths: DefaultPaths(getenv), reg: reg}
	cfg, warnings, err := config.Load(o.flags, getenv)
	fillStoredSecrets(cfg, getenv, ios.ErrOut)
	c.cfg, c.cfgErr = cfg, err
	for _, w := range warnings {
		fmt.Fprintln(ios.ErrOut, "warning: "+w.String())
	}
	if err != nil {
		// The server still starts: the client lists the tools, and each
		// call explains what is missing.
		fmt.Fprintln(ios.ErrOut, "warning: "+err.Error())
	}
	return c
}

// name says which cloud is served, for the start-up line.
func (c *mcpCloud) name() string {
	if c.cfg == nil || c.cfg.Name == "" {
		return "the cloud from OS_* variables"
	}
	return "cloud " + c.cfg.Name
}

// engine makes the engine of one MCP session.
func (c *mcpCloud) engine() *session.Engine {
	var env *tools.Env
	var envMu sync.Mutex
	return &session.Engine{
		Registry: c.reg,
		Env: func() (*tools.Env, error) {
			envMu.Lock()
			defer envMu.Unlock()
			if env != nil {
				return env, nil
			}
			conn, err := c.connect()
			if err != nil {
				return nil, err
			}
			env = tools.NewEnv(conn)
			return env, nil
		},
		Audit: c,
		Scope: c.scope,
	}
}

// connect builds the one connection, which authenticates (or reuses a
// cached token) on its first request.
func (c *mcpCloud) connect() (*cloud.Conn, error) {
	if c.cfgErr != nil {
		return nil, c.cfgErr
	}
	c.connOnce.Do(func() {
		opts := cloud.Options{CacheDir: c.paths.CacheDir, Timeout: c.o.timeout, UserAgent: "ostui/" + Version()}
		if c.o.debug {
			opts.Debug = c.ios.ErrOut
		}
		c.conn.Store(cloud.New(c.cfg, opts))
	})
	return c.conn.Load(), nil
}

// explain makes an error one a client's model (and the person) can act
// on, with this cloud's scope in the advice once connected.
func (c *mcpCloud) explain(err error) error {
	if conn := c.conn.Load(); conn != nil {
		return conn.Explain(err)
	}
	return cloud.Explain(err)
}

// scope says who and where, for the audit log.
func (c *mcpCloud) scope() session.Scope {
	if c.cfg == nil {
		return session.Scope{}
	}
	return session.Scope{Cloud: c.cfg.Name, Project: firstNonEmpty(c.cfg.ProjectName, c.cfg.ProjectID),
		User: firstNonEmpty(c.cfg.Username, c.cfg.UserID), Region: c.cfg.Region}
}

// Append records to the audit log, opening it the first time. A log that
// cannot be opened is said once on standard error; the change is not
// stopped for it, as in the shell.
func (c *mcpCloud) Append(r audit.Record) error {
	c.auditMu.Lock()
	defer c.auditMu.Unlock()
	if !c.auditTried {
		c.auditTried = true
		log, err := audit.Open(audit.DefaultPath(c.paths.StateDir))
		if err != nil {
			fmt.Fprintln(c.ios.ErrOut, "warning: the audit log cannot be opened: "+err.Error())
		}
		c.auditLog = log
	}
	if c.auditLog == nil {
		return nil
	}
	return c.auditLog.Append(r)
}

func (c *mcpCloud) close() {
	c.auditMu.Lock()
	defer c.auditMu.Unlock()
	if c.auditLog != nil {
		_ = c.auditLog.Close()
	}
}
