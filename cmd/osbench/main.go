// Command osbench runs the ostui benchmark (`make os-bench`): tasks from
// testdata/bench against a real OpenStack, with a real model endpoint or,
// with --scripted, each task's scripted model. See docs/os-bench.md.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kriscelmer/os-tui/agent/llm"

	"github.com/kriscelmer/os-tui/internal/osbench"
)

// options are the command line, parsed apart from running so the flags
// can be tested without a cloud.
type options struct {
	tasksDir   string
	tasks      []string
	scripted   bool
	variant    string
	ostui      string
	jsonPath   string
	cloud      string
	adminCloud string
	python     string
	keep       bool
	repeat     int
	parallel   int
	price      osbench.Price
	outDir     string
}

// devcloudConfig is where `make devcloud` writes its clouds.yaml.
const devcloudConfig = "/var/lib/devcloud/clouds.yaml"

type names []string

func (n *names) String() string     { return strings.Join(*n, ",") }
func (n *names) Set(v string) error { *n = append(*n, v); return nil }

// Price flags default to these variables, so a CI job sets the price once.
const (
	envPriceIn  = "OSBENCH_PRICE_IN"
	envPriceOut = "OSBENCH_PRICE_OUT"
)

func parse(args []string, stderr io.Writer, getenv func(string) string) (*options, error) {
	o := &options{}
	var priceIn, priceOut string
	fs := flag.NewFlagSet("osbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.tasksDir, "tasks", "testdata/bench", "directory of tasks")
	fs.Var((*names)(&o.tasks), "task", "run only this task (repeatable)")
	fs.BoolVar(&o.scripted, "scripted", false, "use each task's scripted model instead of a real endpoint")
	fs.StringVar(&o.variant, "variant", "", "with --scripted: fail or unsafe, to run script-fail.yaml / script-unsafe.yaml and prove the verifier catches them")
	fs.StringVar(&o.ostui, "ostui", "bin/ostui", "the ostui binary")
	fs.StringVar(&o.jsonPath, "json", "", "also write the results as JSON to this file")
	fs.StringVar(&o.cloud, "cloud", "devcloud", "clouds.yaml entry of the project under test")
	fs.StringVar(&o.adminCloud, "admin-cloud", "devcloud-admin", "clouds.yaml entry with admin rights, for setup and cleanup")
	fs.StringVar(&o.python, "python", "/usr/bin/python3", "a Python with openstacksdk, for snapshots and cleanup")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory (logs, model scripts)")
	fs.IntVar(&o.repeat, "repeat", 1, "run each task `k` times: pass@1 is the mean, pass^k the share of tasks that passed all k")
	fs.IntVar(&o.parallel, "parallel", 1, "run `n` tasks at a time (each with its own prefix; latencies then include the contention)")
	fs.StringVar(&priceIn, "price-in", getenv(envPriceIn), "USD per million prompt tokens, for the cost column (default $"+envPriceIn+")")
	fs.StringVar(&priceOut, "price-out", getenv(envPriceOut), "USD per million completion tokens (default $"+envPriceOut+")")
	fs.StringVar(&o.outDir, "out", "", "write report.txt and report.json here (default .tmp/osbench/RUN-ID)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (tasks are chosen with --task NAME; compare reports with: osbench compare A.json B.json)", fs.Arg(0))
	}
	if o.parallel < 1 {
		return nil, fmt.Errorf("--parallel %d: want 1 or more", o.parallel)
	}
	if o.repeat < 1 {
		return nil, fmt.Errorf("--repeat %d: want 1 or more", o.repeat)
	}
	var err error
	if o.price.InPerMTok, err = parsePrice("--price-in", priceIn); err != nil {
		return nil, err
	}
	if o.price.OutPerMTok, err = parsePrice("--price-out", priceOut); err != nil {
		return nil, err
	}
	switch o.variant {
	case osbench.VariantDefault:
	case osbench.VariantFail, osbench.VariantUnsafe:
		if !o.scripted {
			return nil, fmt.Errorf("--variant %s needs --scripted", o.variant)
		}
	default:
		return nil, fmt.Errorf("--variant %q: want fail or unsafe", o.variant)
	}
	return o, nil
}

// parsePrice reads a price in USD per million tokens; empty is free.
func parsePrice(flag, v string) (float64, error) {
	if v == "" {
		return 0, nil
	}
	p, err := strconv.ParseFloat(strings.TrimPrefix(v, "$"), 64)
	if err != nil || p < 0 {
		return 0, fmt.Errorf("%s %q: want US dollars per million tokens, e.g. 0.40", flag, v)
	}
	return p, nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "compare" {
		os.Exit(compare(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// compare prints two or more JSON reports side by side.
func compare(args []string, stdout, stderr io.Writer) int {
	if len(args) < 2 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: osbench compare A.json B.json [C.json...]\n\nprints the reports' tasks (passed/runs) and summaries side by side, one column per report")
		return 2
	}
	var reports []*osbench.Report
	var labels []string
	for _, path := range args {
		b, err := os.ReadFile(path) //nolint:gosec // the person names the report to read
		if err != nil {
			fmt.Fprintln(stderr, "osbench compare:", err)
			return 1
		}
		r, err := osbench.ReadReport(b)
		if err != nil {
			fmt.Fprintf(stderr, "osbench compare: %s: %v\n", path, err)
			return 1
		}
		reports = append(reports, r)
		labels = append(labels, fmt.Sprintf("%s (%s)", r.Model, filepath.Base(path)))
	}
	if err := osbench.WriteComparison(stdout, reports, labels); err != nil {
		fmt.Fprintln(stderr, "osbench compare:", err)
		return 1
	}
	return 0
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr, os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, "osbench:", err)
		return 2
	}
	tasks, err := osbench.LoadTasks(o.tasksDir, o.tasks)
	if err != nil {
		fmt.Fprintln(stderr, "osbench:", err)
		return 2
	}
	if o.variant != osbench.VariantDefault {
		// A variant proves the verifier on the tasks that ship one.
		var with []*osbench.Task
		for _, t := range tasks {
			if _, ok := osbench.ScriptFile(t, o.variant); ok {
				with = append(with, t)
			}
		}
		tasks = with
	}
	if len(tasks) == 0 {
		fmt.Fprintln(stderr, "osbench: no tasks to run")
		return 2
	}
	work, err := os.MkdirTemp("", "osbench-")
	if err != nil {
		fmt.Fprintln(stderr, "osbench:", err)
		return 1
	}
	if o.keep {
		fmt.Fprintln(stderr, "osbench: work directory", work)
	} else {
		defer func() { _ = os.RemoveAll(work) }()
	}

	// The devcloud's clouds.yaml is the default cloud, as for make e2e.
	if os.Getenv("OS_CLIENT_CONFIG_FILE") == "" {
		if _, err := os.Stat(devcloudConfig); err == nil {
			_ = os.Setenv("OS_CLIENT_CONFIG_FILE", devcloudConfig) // the children inherit it
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r := &osbench.Runner{
		Ostui: o.ostui, Cloud: o.cloud, AdminCloud: o.adminCloud, Python: o.python,
		Scripted: o.scripted, Variant: o.variant, RunID: osbench.NewRunID(),
		WorkDir: work, Log: stderr, Getenv: os.Getenv,
	}
	started := time.Now()
	results := runAll(ctx, r, tasks, o, stderr)
	var text strings.Builder
	if err := osbench.WriteReport(&text, results, o.price); err != nil {
		fmt.Fprintln(stderr, "osbench:", err)
		return 1
	}
	wall := time.Since(started)
	fmt.Fprintf(&text, "wall time %s for %d runs\n", wall.Round(time.Second), len(results))
	_, _ = io.WriteString(stdout, text.String())

	rep := osbench.NewReport(results, o.price)
	rep.Model, rep.Provider = modelName(o, os.Getenv)
	rep.Variant, rep.Cloud, rep.Started, rep.WallSeconds = o.variant, o.cloud, started, wall.Seconds()
	b, _ := json.MarshalIndent(rep, "", "  ") // plain structs always marshal
	b = append(b, '\n')
	out := o.outDir
	if out == "" {
		out = filepath.Join(".tmp", "osbench", r.RunID)
	}
	// The results quote cloud data: the files are the person's own.
	files := map[string][]byte{filepath.Join(out, "report.txt"): []byte(text.String()), filepath.Join(out, "report.json"): b}
	if o.jsonPath != "" {
		files[o.jsonPath] = b
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		fmt.Fprintln(stderr, "osbench:", err)
		return 1
	}
	for path, content := range files {
		if err := os.WriteFile(path, content, 0o600); err != nil {
			fmt.Fprintln(stderr, "osbench:", err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "osbench: reports in %s (report.txt, report.json)\n", out)
	return exitCode(o, results)
}

// runAll runs every task o.repeat times, o.parallel at a time, and
// returns the results in task order (all of the first attempt, then the
// second...). Each run of each task has its own prefix, so a repeat never
// meets the leftovers of the run before, and tasks side by side are
// someone else's to each other (see osbench.Split).
func runAll(ctx context.Context, r *osbench.Runner, tasks []*osbench.Task, o *options, stderr io.Writer) []osbench.Result {
	type job struct {
		n, attempt int
		t          *osbench.Task
	}
	var jobs []job
	for attempt := 1; attempt <= o.repeat; attempt++ {
		for _, t := range tasks {
			jobs = append(jobs, job{len(jobs) + 1, attempt, t})
		}
	}
	results := make([]osbench.Result, len(jobs))
	done := make([]bool, len(jobs))
	next := make(chan job)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for w := 0; w < max(o.parallel, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				res := r.Run(ctx, j.n, j.attempt, j.t)
				fmt.Fprintf(stderr, "  %s: %s\n", j.t.Name, verdict(res))
				mu.Lock()
				results[j.n-1], done[j.n-1] = res, true
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		fmt.Fprintf(stderr, "[%d/%d] %s\n", j.n, len(jobs), j.t.Name)
		next <- j
	}
	close(next)
	wg.Wait()
	var out []osbench.Result
	for i, ok := range done {
		if ok {
			out = append(out, results[i])
		}
	}
	return out
}

// verdict is one progress line's end: ok, or what went wrong.
func verdict(r osbench.Result) string {
	switch {
	case r.Error != "":
		return "ERROR " + r.Error
	case r.Pass:
		return fmt.Sprintf("ok (%.1fs)", r.Latency.Seconds())
	}
	return "FAIL " + strings.Join(append(slices.Clone(r.Why), r.Unsafe...), "; ")
}

// modelName is what the report calls the model: "scripted", or the
// configured model and provider.
func modelName(o *options, getenv func(string) string) (string, string) {
	if o.scripted {
		return "scripted", ""
	}
	cfg, _, err := llm.ConfigFromEnv(getenv)
	if err != nil {
		return "unknown", ""
	}
	return cfg.Model, cfg.Provider
}

// exitCode: the default run fails on any unsafe action, any harness
// error, and (scripted, where every task is meant to pass) any failure.
// A variant run succeeds only when every bad script was caught.
func exitCode(o *options, rs []osbench.Result) int {
	for _, r := range rs {
		if r.Error != "" {
			return 1
		}
		switch o.variant {
		case osbench.VariantFail:
			if r.Pass {
				return 1
			}
		case osbench.VariantUnsafe:
			if len(r.Unsafe) == 0 {
				return 1
			}
		default:
			if len(r.Unsafe) > 0 || (o.scripted && !r.Pass) {
				return 1
			}
		}
	}
	return 0
}
