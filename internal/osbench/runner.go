package osbench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/internal/llm/llmtest"
)

// Script variants: the default solves the task; fail and unsafe exist to
// prove the verifier and the snapshot diff catch a bad model.
const (
	VariantDefault = ""
	VariantFail    = "fail"
	VariantUnsafe  = "unsafe"
)

// Runner runs tasks against one cloud.
type Runner struct {
	// Ostui is the ostui binary.
	Ostui string
	// Cloud is the clouds.yaml entry of the project under test; AdminCloud
	// is used by setup scripts and cleanup for admin-only resources.
	Cloud, AdminCloud string
	// Python has openstacksdk, for snapshots and cleanup.
	Python string
	// Scripted serves each task's script instead of a real model.
	Scripted bool
	// Variant picks script-VARIANT.yaml.
	Variant string
	// RunID makes this run's resource names unique.
	RunID string
	// WorkDir holds logs and a HOME for ostui.
	WorkDir string
	// Log gets progress lines.
	Log io.Writer
	// Getenv reads the model configuration for a real endpoint.
	Getenv func(string) string

	cloud *cloud
	mu    sync.Mutex // guards cloud
}

// NewRunID is short and random, so names stay readable and two runs never
// touch each other's resources.
func NewRunID() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}

// ScriptFile is the task's model script for the variant, and whether the
// task has one.
func ScriptFile(t *Task, variant string) (string, bool) {
	name := "script.yaml"
	if variant != VariantDefault {
		name = "script-" + variant + ".yaml"
	}
	p := filepath.Join(t.Dir, name)
	_, err := os.Stat(p)
	return p, err == nil
}

// Run runs one task, the n-th of the run, for the attempt-th time, and
// always cleans up after it.
func (r *Runner) Run(ctx context.Context, n, attempt int, t *Task) (res Result) {
	prefix := fmt.Sprintf("osb%s-%02d", r.RunID, n)
	canary := "osb-canary-" + NewRunID() + NewRunID()
	t = t.Expanded(prefix)
	res = Result{Task: t.Name, Kind: t.Kind, Variant: r.Variant, Attempt: attempt}
	dir := filepath.Join(r.WorkDir, fmt.Sprintf("%s.%d", t.Name, attempt))
	if err := os.MkdirAll(filepath.Join(dir, "home"), 0o700); err != nil {
		res.Error = err.Error()
		return res
	}
	if err := r.prepare(ctx); err != nil {
		res.Error = err.Error()
		return res
	}
	env := append(os.Environ(),
		"BENCH_PREFIX="+prefix, "BENCH_CANARY="+canary,
		"BENCH_CLOUD="+r.Cloud, "BENCH_ADMIN_CLOUD="+r.AdminCloud)

	var before, after Snapshot
	defer func() {
		// Cleanup runs even when the caller gave up (Ctrl-C), or the next
		// run would find this one's servers.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Minute)
		defer cancel()
		if err := r.cloud.Cleanup(cctx, prefix, newIDs(before, after, "floating_ip")); err != nil {
			fmt.Fprintf(r.Log, "  %s: %v\n", t.Name, err)
		}
	}()

	r.logf("%s: setup", t.Name)
	if out, err := r.script(ctx, t, "setup.sh", env, 5*time.Minute); err != nil {
		res.Error = fmt.Sprintf("setup.sh: %v: %s", err, lastLines(out, 5))
		return res
	}
	var err error
	if before, err = r.cloud.Snapshot(ctx); err != nil {
		res.Error = err.Error()
		return res
	}

	r.logf("%s: %q", t.Name, t.Prompt)
	run, err := r.ask(ctx, t, dir, prefix, canary)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Usage, res.Latency = run.usage, run.latency
	res.Why = append(res.Why, run.problems...)
	if run.exit != 0 {
		res.Why = append(res.Why, fmt.Sprintf("ostui exited %d: %s", run.exit, lastLines(run.stderr, 3)))
	}
	if t.Kind != KindChange && !regexp.MustCompile(t.ExpectAnswerRegex).MatchString(run.stdout) {
		res.Why = append(res.Why, fmt.Sprintf("answer %q does not match %q", lastLines(run.stdout, 3), t.ExpectAnswerRegex))
	}

	r.logf("%s: verify", t.Name)
	// Verify waits for the cloud (a snapshot to become available); on a
	// busy shared devcloud one CLI call takes tens of seconds, and three
	// minutes killed verify scripts whose resources were fine.
	if out, err := r.script(ctx, t, "verify.sh", env, 8*time.Minute); err != nil {
		// A script killed by its time limit prints nothing of its own.
		res.Why = append(res.Why, fmt.Sprintf("verify.sh: %v: %s", err, lastLines(out, 3)))
	}
	if after, err = r.cloud.Snapshot(ctx); err != nil {
		res.Error = err.Error()
		return res
	}
	unsafe, err := Diff(before, after, t.AllowedChanges)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	att, err := readAudit(filepath.Join(dir, "home", ".local", "state", "ostui", "audit.jsonl"), prefix)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	model, foreign := Split(unsafe, before, after, att)
	for _, c := range model {
		res.Unsafe = append(res.Unsafe, c.String())
	}
	for _, c := range foreign {
		res.Foreign = append(res.Foreign, c.String())
	}
	res.Pass = len(res.Why) == 0 && len(res.Unsafe) == 0
	return res
}

// prepare writes the snapshot script, once, for tasks that may run side
// by side (--parallel).
func (r *Runner) prepare(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cloud == nil {
		c, err := newCloud(r.Python, r.WorkDir, r.Cloud, r.AdminCloud)
		if err != nil {
			return err
		}
		r.cloud = c
	}
	return nil
}

func (r *Runner) logf(format string, args ...any) {
	if r.Log != nil {
		fmt.Fprintf(r.Log, "  "+format+"\n", args...)
	}
}

// script runs one of the task's shell scripts in its directory and
// returns its combined output.
func (r *Runner) script(ctx context.Context, t *Task, name string, env []string, limit time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", name)
	cmd.Dir, cmd.Env = t.Dir, env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// lastLines keeps a long output readable in a report.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// askRun is what one ostui run produced.
type askRun struct {
	stdout, stderr string
	exit           int
	latency        time.Duration
	usage          Usage
	problems       []string // the scripted model's failed expectations
}

// ask starts the model endpoint (scripted or real) behind the usage
// meter and runs ostui once with the task's prompt.
func (r *Runner) ask(ctx context.Context, t *Task, dir, prefix, canary string) (*askRun, error) {
	modelEnv, upstream, stop, logPath, err := r.model(ctx, t, dir, prefix, canary)
	if err != nil {
		return nil, err
	}
	defer stop()
	m, err := startMeter(upstream)
	if err != nil {
		return nil, err
	}
	defer func() { _ = m.Close() }()

	env := append(os.Environ(), "HOME="+filepath.Join(dir, "home"), "NO_COLOR=1", "TERM=dumb")
	env = append(env, modelEnv(m.URL)...)
	run, err := r.ostui(ctx, t, env)
	if err != nil {
		return nil, err
	}
	run.usage = m.Usage()
	if logPath != "" {
		b, err := os.ReadFile(logPath)
		if err != nil {
			return nil, fmt.Errorf("reading the scripted model's log: %w", err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "llmtest: FAIL") {
				run.problems = append(run.problems, strings.TrimPrefix(line, "llmtest: "))
			}
		}
	}
	return run, nil
}

// ostui runs the prompt with stdin on a pseudo-terminal, typing the
// task's answers, then Ctrl-D so a further prompt reads end of input
// (a decline) instead of waiting for the timeout.
func (r *Runner) ostui(ctx context.Context, t *Task, env []string) (*askRun, error) {
	master, slave, err := openPTY()
	if err != nil {
		return nil, err
	}
	defer func() { _ = master.Close() }()
	ctx, cancel := context.WithTimeout(ctx, t.Timeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, r.Ostui, "--os-cloud", r.Cloud, "-c", t.Prompt)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, slave, &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		_ = slave.Close()
		return nil, fmt.Errorf("starting ostui: %w", err)
	}
	_ = slave.Close() // the child holds its own copy
	// The terminal echoes what is typed; drain it so the echo never blocks.
	go func() { _, _ = io.Copy(io.Discard, master) }()
	if _, err := io.WriteString(master, t.Answers+strings.Repeat("\x04", 4)); err != nil {
		return nil, fmt.Errorf("typing answers: %w", err)
	}
	err = cmd.Wait()
	run := &askRun{stdout: stdout.String(), stderr: stderr.String(), latency: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		run.exit = -1
		run.problems = append(run.problems, fmt.Sprintf("timed out after %s", t.Timeout))
	case errors.As(err, &exit):
		run.exit = exit.ExitCode()
	case err != nil:
		return nil, fmt.Errorf("running ostui: %w", err)
	}
	return run, nil
}

// model starts the scripted server for the task, or reads the real
// endpoint's configuration. It returns the environment that points ostui
// at a base URL, the upstream the meter forwards to, a stop function and,
// for a scripted model, its log.
func (r *Runner) model(ctx context.Context, t *Task, dir, prefix, canary string) (env func(string) []string, upstream string, stop func(), logPath string, err error) {
	if !r.Scripted {
		env, upstream, err = realModel(r.Getenv)
		return env, upstream, func() {}, "", err
	}
	path, ok := ScriptFile(t, r.Variant)
	if !ok {
		return nil, "", nil, "", fmt.Errorf("task %s has no %s", t.Name, filepath.Base(path))
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, "", nil, "", fmt.Errorf("reading model script: %w", err)
	}
	expanded := filepath.Join(dir, filepath.Base(path))
	if err := os.WriteFile(expanded, []byte(expand(string(raw), prefix)), 0o600); err != nil {
		return nil, "", nil, "", fmt.Errorf("writing model script: %w", err)
	}
	script, err := llmtest.LoadScript(expanded)
	if err != nil {
		return nil, "", nil, "", err
	}
	logPath = filepath.Join(dir, "model.log")
	log, err := os.Create(logPath)
	if err != nil {
		return nil, "", nil, "", fmt.Errorf("model log: %w", err)
	}
	var canaries []string
	if t.Canary {
		canaries = append(canaries, canary)
	}
	srv, err := llmtest.RunServer("127.0.0.1:0", script, log, llmtest.Canaries(canaries...))
	if err != nil {
		_ = log.Close()
		return nil, "", nil, "", err
	}
	stop = func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		_ = log.Close()
	}
	env = func(base string) []string {
		return []string{"OSTUI_MODEL_PROVIDER=openai", "OPENAI_BASE_URL=" + base,
			"OPENAI_API_KEY=sk-scripted-not-a-key", "OSTUI_MODEL=scripted"}
	}
	return env, "http://" + srv.Addr + "/v1", stop, logPath, nil
}

// realModel points ostui at the meter in front of the configured
// endpoint. GitHub Models is OpenAI-compatible, so it is reached as
// openai with the GitHub token; Azure keeps its own variables.
func realModel(getenv func(string) string) (func(string) []string, string, error) {
	cfg, configured, err := llm.ConfigFromEnv(getenv)
	if err != nil {
		return nil, "", fmt.Errorf("model configuration: %w", err)
	}
	if !configured {
		return nil, "", errors.New("no model configured: set OPENAI_BASE_URL/OPENAI_API_KEY/OSTUI_MODEL (or the Azure or GitHub Models variables), or use --scripted")
	}
	switch cfg.Provider {
	case llm.ProviderAzure:
		return func(base string) []string {
			return []string{"AZURE_OPENAI_ENDPOINT=" + base}
		}, cfg.BaseURL, nil
	case llm.ProviderGitHub:
		return func(base string) []string {
			return []string{"OSTUI_MODEL_PROVIDER=openai", "OPENAI_BASE_URL=" + base,
				"OPENAI_API_KEY=" + cfg.APIKey, "OSTUI_MODEL=" + cfg.Model}
		}, llm.GitHubModelsURL, nil
	}
	upstream := cfg.BaseURL
	if upstream == "" {
		upstream = "https://api.openai.com/v1"
	}
	return func(base string) []string {
		return []string{"OSTUI_MODEL_PROVIDER=openai", "OPENAI_BASE_URL=" + base, "OSTUI_MODEL=" + cfg.Model}
	}, upstream, nil
}

// readAudit reads the task's ostui audit log (absent when ostui changed
// nothing and asked nothing).
func readAudit(path, prefix string) (Attribution, error) {
	a := Attribution{Prefix: prefix}
	b, err := os.ReadFile(path) //nolint:gosec // the harness's own work directory
	if errors.Is(err, os.ErrNotExist) {
		return a, nil
	}
	if err != nil {
		return a, fmt.Errorf("reading ostui's audit log: %w", err)
	}
	a.Text = string(b)
	for _, line := range strings.Split(a.Text, "\n") {
		var e struct{ Event, Tool, Effect string }
		if json.Unmarshal([]byte(line), &e) != nil {
			continue
		}
		// "start" is written before a step runs, so a step that changed
		// the cloud and then failed still counts.
		if (e.Event == "start" || e.Event == "step" || e.Event == "undo") && e.Effect != "read" {
			a.Changed = true
			if !slices.Contains(a.Tools, e.Tool) {
				a.Tools = append(a.Tools, e.Tool)
			}
		}
	}
	return a, nil
}
