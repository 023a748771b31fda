package recipes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/kriscelmer/os-tui/agent/plan"
)

// Store is the recipe folder: one NAME.yaml per recipe, in a git
// repository so every saved version can be listed, compared and restored.
type Store struct {
	// Dir is the folder ($XDG_DATA_HOME/ostui/recipes by default).
	Dir string
	// Git is the git program ("" finds git on PATH).
	Git string
	// NoCommit leaves saves uncommitted (recipes.autocommit: false).
	NoCommit bool
}

// Compiled on first use: package init stays free (TestInitIsCheap).
var nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$`) })

// NameError refuses a recipe name that is not a plain file name.
type NameError struct{ Name string }

func (e *NameError) Error() string {
	return fmt.Sprintf("recipe name %q: use letters, digits, '.', '_' and '-', starting with a letter or digit (it becomes NAME.yaml)", e.Name)
}

// NotFoundError says a recipe is not in the folder.
type NotFoundError struct{ Name, Dir string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no recipe %q in %s (see /recipe list)", e.Name, e.Dir)
}

func checkName(name string) error {
	if !nameRE().MatchString(name) {
		return &NameError{Name: name}
	}
	return nil
}

// File is the path of a recipe's file.
func (s *Store) File(name string) (string, error) {
	name = strings.TrimSuffix(name, ".yaml")
	if err := checkName(name); err != nil {
		return "", err
	}
	return filepath.Join(s.Dir, name+".yaml"), nil
}

// git runs git in the folder and returns its standard output.
func (s *Store) git(ctx context.Context, args ...string) (string, error) {
	prog := s.Git
	if prog == "" {
		prog = "git"
	}
	full := append([]string{"-C", s.Dir, "-c", "core.quotepath=off", "-c", "color.ui=never"}, args...)
	// The program is git; its arguments are recipe names and revisions
	// checked by checkName and checkRev, never a shell string.
	cmd := exec.CommandContext(ctx, prog, full...) //nolint:gosec // see above
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_PAGER=cat", "PAGER=cat")
	if err := cmd.Run(); err != nil {
		var ee *exec.Error
		if errors.As(err, &ee) {
			return "", fmt.Errorf("recipes are kept in a git repository and git is not installed (%v); install git (apt-get install git)", ee.Err)
		}
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return out.String(), fmt.Errorf("git %s: %s", args[0], msg)
	}
	return out.String(), nil
}

// Init makes the folder and its repository when they are missing.
func (s *Store) Init(ctx context.Context) error {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil { //nolint:gosec // recipes hold no secrets (Lift refuses them); 0755 like a source tree
		return fmt.Errorf("make the recipe folder: %w", err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, ".git")); err == nil {
		return nil
	}
	if _, err := s.git(ctx, "init", "-q", "-b", "main"); err != nil {
		return err
	}
	// Commits need an author; a person who set none in git gets one that
	// says where the commit came from (their own config wins otherwise).
	if out, _ := s.git(ctx, "config", "user.name"); strings.TrimSpace(out) == "" {
		if _, err := s.git(ctx, "config", "user.name", "ostui"); err != nil {
			return err
		}
	}
	if out, _ := s.git(ctx, "config", "user.email"); strings.TrimSpace(out) == "" {
		if _, err := s.git(ctx, "config", "user.email", "ostui@localhost"); err != nil {
			return err
		}
	}
	return nil
}

// Save writes a recipe (0644: a recipe holds no secret) and, unless
// NoCommit, commits it. It returns the file's path and the commit
// ("" when nothing changed or NoCommit).
func (s *Store) Save(ctx context.Context, name string, r *plan.Recipe, header string) (path, commit string, err error) {
	path, err = s.File(name)
	if err != nil {
		return "", "", err
	}
	if err := s.Init(ctx); err != nil {
		return "", "", err
	}
	body, err := r.Marshal()
	if err != nil {
		return "", "", fmt.Errorf("write recipe %s: %w", name, err)
	}
	var b bytes.Buffer
	for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		if line != "" {
			b.WriteString("# " + line + "\n")
		}
	}
	b.Write(body)
	// Parse what we wrote: a recipe saved is a recipe that loads.
	if _, err := Parse(name+".yaml", b.Bytes()); err != nil {
		return "", "", fmt.Errorf("the recipe would not load again: %w", err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil { //nolint:gosec // a recipe holds no secret (Lift refuses them) and is shared like source
		return "", "", fmt.Errorf("write recipe: %w", err)
	}
	if s.NoCommit {
		return path, "", nil
	}
	commit, err = s.commit(ctx, "recipe "+name+": save", name+".yaml")
	return path, commit, err
}

// commit adds the paths (all when none) and commits; "" when there was
// nothing to commit.
func (s *Store) commit(ctx context.Context, msg string, paths ...string) (string, error) {
	add := append([]string{"add", "-A", "--"}, paths...)
	if len(paths) == 0 {
		add = append(add, ".")
	}
	if _, err := s.git(ctx, add...); err != nil {
		return "", err
	}
	if out, err := s.git(ctx, "status", "--porcelain"); err != nil || strings.TrimSpace(out) == "" {
		return "", err
	}
	if _, err := s.git(ctx, "commit", "-q", "-m", msg); err != nil {
		return "", err
	}
	out, err := s.git(ctx, "rev-parse", "--short", "HEAD")
	return strings.TrimSpace(out), err
}

// Commit commits every change in the folder (/recipe commit).
func (s *Store) Commit(ctx context.Context, msg string) (string, error) {
	if err := s.Init(ctx); err != nil {
		return "", err
	}
	if msg == "" {
		msg = "recipes: update"
	}
	return s.commit(ctx, msg)
}

// Entry is one recipe in the folder.
type Entry struct {
	Name   string
	Goal   string
	Params []string
	Steps  int
	// Err says why the file does not load.
	Err error
}

// List reads every recipe in the folder, by name.
func (s *Store) List() ([]Entry, error) {
	files, err := filepath.Glob(filepath.Join(s.Dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []Entry
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		e := Entry{Name: name}
		r, _, err := s.Load(name)
		if err != nil {
			e.Err = err
		} else {
			e.Goal, e.Steps = r.Goal, len(r.Steps)
			for p := range r.Params {
				e.Params = append(e.Params, p)
			}
			sort.Strings(e.Params)
		}
		out = append(out, e)
	}
	return out, nil
}

// Load reads and checks a recipe from the folder.
func (s *Store) Load(name string) (*plan.Recipe, []byte, error) {
	path, err := s.File(name)
	if err != nil {
		return nil, nil, err
	}
	b, err := os.ReadFile(path) //nolint:gosec // the path is the folder and a checked name
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, &NotFoundError{Name: name, Dir: s.Dir}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read recipe %s: %w", name, err)
	}
	r, err := Parse(filepath.Base(path), b)
	return r, b, err
}

// Compiled on first use: package init stays free (TestInitIsCheap).
var revRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._/~^@{}-]{0,99}$`) })

func checkRev(rev string) error {
	if !revRE().MatchString(rev) || strings.Contains(rev, "..") {
		return fmt.Errorf("%q is not a revision: give a commit (from /recipe log), a branch, or HEAD~1", rev)
	}
	return nil
}

// LoadAt reads a recipe as it was at a revision.
func (s *Store) LoadAt(ctx context.Context, rev, name string) (*plan.Recipe, []byte, error) {
	if err := checkRev(rev); err != nil {
		return nil, nil, err
	}
	if _, err := s.File(name); err != nil {
		return nil, nil, err
	}
	out, err := s.git(ctx, "show", rev+":"+name+".yaml")
	if err != nil {
		return nil, nil, fmt.Errorf("recipe %s at %s: %w", name, rev, err)
	}
	r, err := Parse(name+".yaml@"+rev, []byte(out))
	return r, []byte(out), err
}

// Branch lists the branches (name "") or switches to one, making it when
// it is new.
func (s *Store) Branch(ctx context.Context, name string) (string, error) {
	if err := s.Init(ctx); err != nil {
		return "", err
	}
	if name == "" {
		return s.git(ctx, "branch", "--list")
	}
	if err := checkRev(name); err != nil {
		return "", err
	}
	if _, err := s.git(ctx, "rev-parse", "--verify", "-q", "refs/heads/"+name); err == nil {
		_, err := s.git(ctx, "switch", "-q", name)
		return "switched to branch " + name + "\n", err
	}
	if _, err := s.git(ctx, "switch", "-q", "-c", name); err != nil {
		return "", err
	}
	return "made branch " + name + " and switched to it\n", nil
}

// Log lists the commits, of one recipe or of the folder.
func (s *Store) Log(ctx context.Context, name string) (string, error) {
	if err := s.Init(ctx); err != nil {
		return "", err
	}
	args := []string{"log", "--date=short", "--format=%h %ad %s"}
	if name != "" {
		if _, err := s.File(name); err != nil {
			return "", err
		}
		args = append(args, "--", name+".yaml")
	}
	out, err := s.git(ctx, args...)
	if err != nil && strings.Contains(err.Error(), "does not have any commits") {
		return "", nil
	}
	return out, err
}

// TextDiff is git's diff between two revisions, a revision and the
// folder, or the last commit and the folder (revs empty).
func (s *Store) TextDiff(ctx context.Context, revs []string, name string) (string, error) {
	if err := s.Init(ctx); err != nil {
		return "", err
	}
	args := []string{"diff"}
	for _, r := range revs {
		if err := checkRev(r); err != nil {
			return "", err
		}
		args = append(args, r)
	}
	args = append(args, "--")
	if name != "" {
		if _, err := s.File(name); err != nil {
			return "", err
		}
		args = append(args, name+".yaml")
	}
	return s.git(ctx, args...)
}

// Changed lists the recipes that differ between the revisions (as
// TextDiff takes them).
func (s *Store) Changed(ctx context.Context, revs []string) ([]string, error) {
	args := append([]string{"diff", "--name-only"}, revs...)
	out, err := s.git(ctx, append(args, "--", "*.yaml")...)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" && !strings.Contains(l, "/") {
			names = append(names, strings.TrimSuffix(l, ".yaml"))
		}
	}
	return names, nil
}
