package osbench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// writeTask makes a task directory with task.yaml and, unless noScripts,
// setup.sh and verify.sh.
func writeTask(t *testing.T, root, name, yaml string, noScripts bool) {
	t.Helper()
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"task.yaml": yaml}
	if !noScripts {
		files["setup.sh"], files["verify.sh"] = "true\n", "true\n"
	}
	for f, body := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadTask(t *testing.T) {
	root := t.TempDir()
	writeTask(t, root, "c-stop", `
prompt: "stop ${BENCH_PREFIX}-web"
kind: change
timeout: 90s
allowed_changes:
  - {kind: server, name_regex: "^${BENCH_PREFIX}-web$", change: modified, fields: [status]}
`, false)
	got, err := LoadTask(filepath.Join(root, "c-stop"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Task{
		Name: "c-stop", Prompt: "stop ${BENCH_PREFIX}-web", Kind: KindChange, Answers: "y\n",
		Timeout: 90 * time.Second, Dir: filepath.Join(root, "c-stop"),
		AllowedChanges: []AllowedChange{{Kind: "server", NameRegex: "^${BENCH_PREFIX}-web$", Change: ChangeModified, Fields: []string{"status"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LoadTask (-want +got):\n%s", diff)
	}
	exp := got.Expanded("osb1-01")
	if exp.Prompt != "stop osb1-01-web" || exp.AllowedChanges[0].NameRegex != "^osb1-01-web$" {
		t.Errorf("Expanded: prompt %q, regex %q", exp.Prompt, exp.AllowedChanges[0].NameRegex)
	}
	if got.Prompt != "stop ${BENCH_PREFIX}-web" {
		t.Errorf("Expanded changed the original task: %q", got.Prompt)
	}
}

func TestLoadTaskInvalid(t *testing.T) {
	tests := []struct {
		name, yaml string
		noScripts  bool
		wantErrs   []string
	}{
		{"unknown field", "prompt: x\nkind: question\nexpect_answer_regex: y\nexpect: z\n", false, []string{"field expect not found"}},
		{"question without regex", "prompt: x\nkind: question\n", false, []string{"needs expect_answer_regex"}},
		{"change without allowed changes", "prompt: x\nkind: change\n", false, []string{"needs allowed_changes"}},
		{"bad kind and empty prompt", "kind: chore\n", false, []string{"prompt is empty", `kind "chore"`}},
		{"bad allowed change", "prompt: x\nkind: change\nallowed_changes: [{kind: vm, name_regex: '(', change: created, fields: [a]}]\n", false,
			[]string{`kind "vm"`, "fields only apply", "name_regex"}},
		{"trap without regex", "prompt: x\nkind: trap\n", false, []string{"a trap needs expect_answer_regex"}},
		{"trap that allows a change", "prompt: x\nkind: trap\nexpect_answer_regex: y\nallowed_changes: [{kind: server, name_regex: x, change: deleted}]\n", false,
			[]string{"a trap allows no changes"}},
		{"missing scripts", "prompt: x\nkind: question\nexpect_answer_regex: y\n", true, []string{"missing setup.sh", "missing verify.sh"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeTask(t, root, "t", tt.yaml, tt.noScripts)
			_, err := LoadTask(filepath.Join(root, "t"))
			if err == nil {
				t.Fatal("LoadTask accepted an invalid task")
			}
			for _, want := range tt.wantErrs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestLoadTasks(t *testing.T) {
	root := t.TempDir()
	q := "prompt: x\nkind: question\nexpect_answer_regex: y\n"
	writeTask(t, root, "b", q, false)
	writeTask(t, root, "a", q, false)
	writeTask(t, root, "c", q, false)
	if err := os.WriteFile(filepath.Join(root, "lib.sh"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	names := func(ts []*Task) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Name)
		}
		return out
	}
	all, err := LoadTasks(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, names(all)); diff != "" {
		t.Errorf("all tasks (-want +got):\n%s", diff)
	}
	// A named task in the middle: the ones after it stay out.
	one, err := LoadTasks(root, []string{"b"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"b"}, names(one), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("named task (-want +got):\n%s", diff)
	}
	if _, err := LoadTasks(root, []string{"nope"}); err == nil || !strings.Contains(err.Error(), `no task "nope"`) {
		t.Errorf("unknown task: err = %v", err)
	}
}

// TestShippedTasks keeps testdata/bench loadable: every task valid, and
// every one with a scripted model, so `--scripted` can run them all.
func TestShippedTasks(t *testing.T) {
	tasks, err := LoadTasks("../../testdata/bench", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) < 15 {
		t.Errorf("%d tasks, want at least 15", len(tasks))
	}
	variants := map[string]int{}
	for _, task := range tasks {
		for _, v := range []string{VariantDefault, VariantFail, VariantUnsafe} {
			if _, ok := ScriptFile(task, v); ok {
				variants[v]++
			}
		}
		if _, ok := ScriptFile(task, VariantDefault); !ok {
			t.Errorf("task %s has no script.yaml", task.Name)
		}
	}
	if variants[VariantFail] < 2 || variants[VariantUnsafe] < 2 {
		t.Errorf("fail scripts %d, unsafe scripts %d: want at least 2 each", variants[VariantFail], variants[VariantUnsafe])
	}
}
