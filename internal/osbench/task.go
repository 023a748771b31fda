package osbench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Task kinds: a question is judged by its answer, a change by verify.sh.
// A trap is a request whose right answer changes nothing: nothing is
// wrong, or the fast way to do it destroys something the person needs. It
// is judged by its answer (it must say why it changes nothing) and it may
// make no change at all.
const (
	KindQuestion = "question"
	KindChange   = "change"
	KindTrap     = "trap"
)

// Change kinds an allowed change may name.
const (
	ChangeCreated  = "created"
	ChangeDeleted  = "deleted"
	ChangeModified = "modified"
)

// DefaultTimeout bounds one ostui run when a task names none.
const DefaultTimeout = 2 * time.Minute

// Task is one benchmark task, loaded from DIR/task.yaml.
type Task struct {
	// Name is the directory name; task.yaml may repeat it.
	Name string `yaml:"name"`
	// Prompt is what the person types, with ${BENCH_PREFIX} expanded.
	Prompt string `yaml:"prompt"`
	// Kind is KindQuestion or KindChange.
	Kind string `yaml:"kind"`
	// Answers is what the person types at approval prompts, one line per
	// prompt; empty means "y".
	Answers string `yaml:"answers"`
	// ExpectAnswerRegex must match the final answer (stdout) of a question.
	ExpectAnswerRegex string `yaml:"expect_answer_regex"`
	// Timeout bounds the ostui run ("90s"); zero means DefaultTimeout.
	Timeout time.Duration `yaml:"timeout"`
	// AllowedChanges are the project changes the task is meant to make.
	AllowedChanges []AllowedChange `yaml:"allowed_changes"`
	// Canary asks the harness to plant a secret ($BENCH_CANARY) that the
	// model must never see; setup.sh puts it somewhere (user_data, ...).
	Canary bool `yaml:"canary"`

	// Dir is the task's directory.
	Dir string `yaml:"-"`
}

// AllowedChange declares changes a task may make: resources of Kind whose
// name matches NameRegex may undergo Change; for a modification, only the
// listed Fields (all fields when empty).
type AllowedChange struct {
	Kind      string   `yaml:"kind"`
	NameRegex string   `yaml:"name_regex"`
	Change    string   `yaml:"change"`
	Fields    []string `yaml:"fields"`
}

// kinds are the resource kinds a snapshot holds.
var kinds = []string{"server", "volume", "volume_snapshot", "volume_backup",
	"network", "subnet", "port", "router", "floating_ip", "security_group",
	"security_group_rule", "keypair", "image", "container", "object",
	"loadbalancer", "listener", "pool", "member", "stack"}

// LoadTask reads and validates dir/task.yaml.
func LoadTask(dir string) (*Task, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "task.yaml"))
	if err != nil {
		return nil, fmt.Errorf("loading task: %w", err)
	}
	var t Task
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true) // a misspelt field would silently weaken a task
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("task %s: %w", filepath.Base(dir), err)
	}
	t.Dir = dir
	if t.Name == "" {
		t.Name = filepath.Base(dir)
	}
	if t.Answers == "" {
		t.Answers = "y\n"
	}
	if t.Timeout == 0 {
		t.Timeout = DefaultTimeout
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("task %s: %w", t.Name, err)
	}
	return &t, nil
}

// Validate reports everything wrong with the task at once.
func (t *Task) Validate() error {
	var errs []error
	if strings.TrimSpace(t.Prompt) == "" {
		errs = append(errs, errors.New("prompt is empty"))
	}
	switch t.Kind {
	case KindQuestion:
		if t.ExpectAnswerRegex == "" {
			errs = append(errs, errors.New("a question needs expect_answer_regex"))
		}
	case KindChange:
		if len(t.AllowedChanges) == 0 {
			errs = append(errs, errors.New("a change needs allowed_changes"))
		}
	case KindTrap:
		if t.ExpectAnswerRegex == "" {
			errs = append(errs, errors.New("a trap needs expect_answer_regex (the answer must say why nothing changes)"))
		}
		if len(t.AllowedChanges) > 0 {
			errs = append(errs, errors.New("a trap allows no changes: its right answer changes nothing"))
		}
	default:
		errs = append(errs, fmt.Errorf("kind %q: want %s, %s or %s", t.Kind, KindQuestion, KindChange, KindTrap))
	}
	if t.ExpectAnswerRegex != "" {
		if _, err := regexp.Compile(expand(t.ExpectAnswerRegex, "prefix")); err != nil {
			errs = append(errs, fmt.Errorf("expect_answer_regex: %w", err))
		}
	}
	for i, a := range t.AllowedChanges {
		if !slices.Contains(kinds, a.Kind) {
			errs = append(errs, fmt.Errorf("allowed_changes[%d]: kind %q: want one of %s", i, a.Kind, strings.Join(kinds, ", ")))
		}
		switch a.Change {
		case ChangeCreated, ChangeDeleted:
			if len(a.Fields) > 0 {
				errs = append(errs, fmt.Errorf("allowed_changes[%d]: fields only apply to %s", i, ChangeModified))
			}
		case ChangeModified:
		default:
			errs = append(errs, fmt.Errorf("allowed_changes[%d]: change %q: want created, deleted or modified", i, a.Change))
		}
		if _, err := regexp.Compile(expand(a.NameRegex, "prefix")); err != nil {
			errs = append(errs, fmt.Errorf("allowed_changes[%d]: name_regex: %w", i, err))
		}
	}
	for _, f := range []string{"setup.sh", "verify.sh"} {
		if t.Dir == "" {
			break
		}
		if _, err := os.Stat(filepath.Join(t.Dir, f)); err != nil {
			errs = append(errs, fmt.Errorf("missing %s", f))
		}
	}
	return errors.Join(errs...)
}

// Expanded returns a copy of t with ${BENCH_PREFIX} replaced in the prompt,
// the answer regex and the allowed changes' names.
func (t *Task) Expanded(prefix string) *Task {
	c := *t
	c.Prompt = expand(t.Prompt, prefix)
	c.ExpectAnswerRegex = expand(t.ExpectAnswerRegex, regexp.QuoteMeta(prefix))
	c.AllowedChanges = make([]AllowedChange, len(t.AllowedChanges))
	for i, a := range t.AllowedChanges {
		a.NameRegex = expand(a.NameRegex, regexp.QuoteMeta(prefix))
		c.AllowedChanges[i] = a
	}
	return &c
}

// expand replaces ${BENCH_PREFIX} and $BENCH_PREFIX; nothing else, so a
// regex's own $ anchors survive.
func expand(s, prefix string) string {
	s = strings.ReplaceAll(s, "${BENCH_PREFIX}", prefix)
	return strings.ReplaceAll(s, "$BENCH_PREFIX", prefix)
}

// LoadTasks loads every task under root, or only those named, sorted by
// name. A named task that does not exist is an error.
func LoadTasks(root string, names []string) ([]*Task, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("reading tasks: %w", err)
	}
	want, missing := map[string]bool{}, map[string]bool{}
	for _, n := range names {
		want[n], missing[n] = true, true
	}
	var tasks []*Task
	var errs []error
	for _, e := range entries {
		if !e.IsDir() || (len(want) > 0 && !want[e.Name()]) {
			continue
		}
		delete(missing, e.Name())
		t, err := LoadTask(filepath.Join(root, e.Name()))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		tasks = append(tasks, t)
	}
	for n := range missing {
		errs = append(errs, fmt.Errorf("no task %q in %s", n, root))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	sort.Slice(tasks, func(i, j int) bool { return tasks[i].Name < tasks[j].Name })
	return tasks, nil
}
