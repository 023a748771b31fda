package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/overview"
	"github.com/kriscelmer/os-tui/internal/render"
	"github.com/kriscelmer/os-tui/internal/termtext"
	"github.com/kriscelmer/os-tui/tools"
)

// Bounds of the all-clouds overview and global search: how many clouds,
// projects per cloud and scopes in all are read, and how many reads run
// at once.
const (
	maxFleetClouds   = 10
	maxFleetProjects = 25
	maxFleetScopes   = 60
	fleetParallel    = 8
)

const searchUsage = "usage: /search TEXT   (a name or part of one, an ID or its first characters, or an IP address; in every cloud, project and region you can reach)"

// scopeEngine is a read-only engine of its own for another cloud,
// project or region: the all-clouds overview and search read every scope
// through the gate like any read, without touching the session's own
// connection.
func (s *Shell) scopeEngine(flags config.Flags) (*session.Engine, *config.Cloud, error) {
	cfg, _, err := config.Load(flags, s.Getenv)
	if err != nil {
		return nil, nil, err
	}
	fillStoredSecrets(cfg, s.Getenv, io.Discard)
	conn := cloud.New(cfg, cloud.Options{CacheDir: s.Paths.CacheDir, Timeout: s.Timeout, UserAgent: "ostui/" + Version()})
	env := tools.NewEnv(conn)
	e := &session.Engine{Registry: s.Registry, Env: func() (*tools.Env, error) { return env, nil }}
	e.LockReadOnly()
	return e, cfg, nil
}

// cloudFlags are the flags that pick a scope in cloud, keeping the TLS
// flags of the session (as /cloud does).
func (s *Shell) cloudFlags(cloudName, projectName, projectID, region string) config.Flags {
	return config.Flags{Cloud: cloudName, ProjectName: projectName, ProjectID: projectID, Region: region, CACert: s.Flags.CACert, Insecure: s.Flags.Insecure}
}

// targets are every scope the person can reach: each cloud in
// clouds.yaml, each project its user can scope to (project.list) and each
// region of its catalog (region.list), within the bounds above. The
// session's own scope reads through the session's engine. Notes say what
// was cut.
func (s *Shell) targets(ctx context.Context) ([]overview.Target, []string) {
	names, err := config.Names(s.Getenv)
	var notes []string
	if err != nil {
		notes = append(notes, "clouds.yaml: "+err.Error())
	}
	current := ""
	if s.cfg != nil {
		current = s.cfg.Name
	}
	if len(names) == 0 && s.cfg != nil {
		// Configured by OS_* variables alone: the current scope only.
		return []overview.Target{{Scope: s.currentScope(), Read: engineReader(s.engine)}}, notes
	}
	if len(names) > maxFleetClouds {
		notes = append(notes, fmt.Sprintf("only the first %d of %d clouds are read", maxFleetClouds, len(names)))
		names = names[:maxFleetClouds]
	}
	per := make([][]overview.Target, len(names))
	perNotes := make([][]string, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			per[i], perNotes[i] = s.cloudTargets(ctx, name, name == current)
		}()
	}
	wg.Wait()
	var out []overview.Target
	for i := range names {
		out = append(out, per[i]...)
		notes = append(notes, perNotes[i]...)
	}
	if len(out) > maxFleetScopes {
		notes = append(notes, fmt.Sprintf("only the first %d of %d scopes are read", maxFleetScopes, len(out)))
		out = out[:maxFleetScopes]
	}
	return out, notes
}

// currentScope is the session's own scope.
func (s *Shell) currentScope() overview.Scope {
	if s.cfg == nil {
		return overview.Scope{}
	}
	return overview.Scope{Cloud: s.cfg.Name, Project: firstNonEmpty(s.cfg.ProjectName, s.cfg.ProjectID), ProjectID: s.cfg.ProjectID, Region: s.cfg.Region}
}

// cloudTargets lists one cloud's scopes.
func (s *Shell) cloudTargets(ctx context.Context, name string, isCurrent bool) ([]overview.Target, []string) {
	probe, cfg, err := s.scopeEngine(s.cloudFlags(name, "", "", ""))
	if err != nil {
		return []overview.Target{{Scope: overview.Scope{Cloud: name}, Err: err}}, nil
	}
	read := engineReader(probe)
	home := overview.Scope{Cloud: name, Project: firstNonEmpty(cfg.ProjectName, cfg.ProjectID), ProjectID: cfg.ProjectID, Region: cfg.Region}
	type project struct{ id, name string }
	var projects []project
	var notes []string
	if res, err := read(ctx, "project.list", nil); err == nil && res.List != nil {
		col := func(n string) int {
			for i, c := range res.List.Columns {
				if c.Name == n {
					return i
				}
			}
			return -1
		}
		idc, nc := col("ID"), col("Name")
		for _, row := range res.List.Rows {
			if idc >= 0 && nc >= 0 {
				id, _ := row[idc].(string)
				n, _ := row[nc].(string)
				projects = append(projects, project{id, n})
			}
		}
	}
	if len(projects) == 0 {
		projects = []project{{cfg.ProjectID, cfg.ProjectName}}
	}
	if len(projects) > maxFleetProjects {
		notes = append(notes, fmt.Sprintf("%s: only the first %d of %d projects are read", name, maxFleetProjects, len(projects)))
		projects = projects[:maxFleetProjects]
	}
	var regions []string
	if res, err := read(ctx, "region.list", nil); err == nil && res.List != nil {
		for _, row := range res.List.Rows {
			if r, ok := row[0].(string); ok && r != "" {
				regions = append(regions, r)
			}
		}
	}
	if len(regions) == 0 {
		regions = []string{cfg.Region}
	}
	var out []overview.Target
	for _, p := range projects {
		for _, r := range regions {
			sc := overview.Scope{Cloud: name, Project: firstNonEmpty(p.name, p.id), ProjectID: p.id, Region: r}
			same := (p.id == cfg.ProjectID || p.id == "" || cfg.ProjectID == "" && p.name == cfg.ProjectName) && (r == cfg.Region || cfg.Region == "")
			switch {
			case same && isCurrent && s.cfg != nil && s.cfg.Region == cfg.Region:
				sc = home
				if r != "" {
					sc.Region = r
				}
				out = append(out, overview.Target{Scope: sc, Read: engineReader(s.engine)})
			case same:
				if r != "" {
					home.Region = r
				}
				out = append(out, overview.Target{Scope: home, Read: read})
			default:
				e, _, err := s.scopeEngine(s.cloudFlags(name, "", p.id, r))
				t := overview.Target{Scope: sc, Err: err}
				if err == nil {
					t.Read = engineReader(e)
				}
				out = append(out, t)
			}
		}
	}
	return out, notes
}

// allCloudsCommand is /overview --all: every scope's fullest quota,
// fullest first; at a terminal a view where Enter switches there.
func (s *Shell) allCloudsCommand(ctx context.Context, text bool) error {
	if !text && s.fullScreen() {
		return s.fleetView(ctx)
	}
	targets, notes := s.targets(ctx)
	rows := overview.Fleet(ctx, targets, fleetParallel)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := render.Render(s.IO, &tools.Result{List: fleetList(rows)}, s.screen(render.Options{})); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(s.IO.ErrOut, "note: "+termtext.Safe(s.masked(n)))
	}
	fmt.Fprintln(s.IO.ErrOut, "switch with /cloud, /project and /region (or Enter in the full-screen view)")
	return nil
}

// fleetList is the fleet as a table.
func fleetList(rows []overview.Fullness) *tools.List {
	l := &tools.List{Columns: []tools.Column{
		{Name: "Cloud"}, {Name: "Project"}, {Name: "Region"}, {Name: "Fullest"}, {Name: "Use"}, {Name: "Status", Kind: tools.Status}, {Name: "Note"},
	}}
	for _, f := range rows {
		fullest, use, status, note := "", "", "ok", strings.Join(f.Notes, "; ")
		switch {
		case f.State != overview.Ready:
			status, note = f.State.String(), f.Err
		case f.Service == "":
			fullest = "(no limited quota)"
		default:
			fullest = f.Service + " " + f.Worst.Resource
			if f.Worst.Type != "" {
				fullest += " (" + f.Worst.Type + ")"
			}
			use = overview.Usage(f.Worst)
			if lt := overview.LevelText(f.Worst.Level()); lt != "" {
				status = lt
			}
		}
		l.Rows = append(l.Rows, []any{f.Cloud, f.Project, f.Region, fullest, use, status, note})
	}
	return l
}

// searchCommand is /search TEXT across every reachable scope.
func (s *Shell) searchCommand(ctx context.Context, args []string) error {
	q := strings.TrimSpace(strings.Join(args, " "))
	if q == "" || strings.HasPrefix(q, "-") {
		return &usageError{msg: searchUsage}
	}
	targets, notes := s.targets(ctx)
	hits, more := overview.Search(ctx, targets, q, fleetParallel)
	if err := ctx.Err(); err != nil {
		return err
	}
	notes = append(notes, more...)
	l := searchList(hits)
	res := &tools.Result{List: l}
	if len(hits) == 0 {
		res = &tools.Result{Message: fmt.Sprintf("nothing matches %q in %d scope(s)", q, len(targets))}
	}
	if err := render.Render(s.IO, res, s.screen(render.Options{})); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(s.IO.ErrOut, "note: "+termtext.Safe(s.masked(n)))
	}
	return nil
}

func searchList(hits []overview.Hit) *tools.List {
	l := &tools.List{Columns: []tools.Column{
		{Name: "Cloud"}, {Name: "Project"}, {Name: "Region"}, {Name: "Kind"}, {Name: "Name"}, {Name: "ID"}, {Name: "Status", Kind: tools.Status}, {Name: "Match"},
	}}
	for _, h := range hits {
		l.Rows = append(l.Rows, []any{h.Cloud, h.Project, h.Region, h.Kind, h.Name, h.ID, h.Status, h.Match})
	}
	return l
}

// switchToScope moves the session to a scope the fleet view or search
// chose, the way /cloud, /project and /region do (grants are reset by
// loadConfig).
func (s *Shell) switchToScope(sc overview.Scope) error {
	old := s.Flags
	// By name when the fleet knows it (the prompt shows it; config moves
	// a name and its ID together), else by ID.
	if sc.Project != "" && sc.Project != sc.ProjectID {
		s.Flags = s.cloudFlags(sc.Cloud, sc.Project, "", sc.Region)
	} else {
		s.Flags = s.cloudFlags(sc.Cloud, "", sc.ProjectID, sc.Region)
	}
	s.loadConfig()
	if s.cfgErr != nil {
		err := s.cfgErr
		s.Flags = old
		s.loadConfig()
		return fmt.Errorf("switch to %s: %w", sc.String(), err)
	}
	return s.describeCloud(s.IO.Out)
}
