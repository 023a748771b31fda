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
	"strings"

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
}

// devcloudConfig is where `make devcloud` writes its clouds.yaml.
const devcloudConfig = "/var/lib/devcloud/clouds.yaml"

type names []string

func (n *names) String() string     { return strings.Join(*n, ",") }
func (n *names) Set(v string) error { *n = append(*n, v); return nil }

func parse(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
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
	if err := fs.Parse(args); err != nil {
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

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr)
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
	var results []osbench.Result
	for i, t := range tasks {
		fmt.Fprintf(stderr, "[%d/%d] %s\n", i+1, len(tasks), t.Name)
		results = append(results, r.Run(ctx, i+1, t))
		if ctx.Err() != nil {
			break
		}
	}
	if err := osbench.WriteReport(stdout, results); err != nil {
		fmt.Fprintln(stderr, "osbench:", err)
		return 1
	}
	if o.jsonPath != "" {
		out := struct {
			Results []osbench.Result `json:"results"`
			Summary osbench.Summary  `json:"summary"`
		}{results, osbench.Summarize(results)}
		b, _ := json.MarshalIndent(out, "", "  ") // plain structs always marshal
		// The results quote cloud data: the file is the person's own.
		if err := os.WriteFile(o.jsonPath, append(b, '\n'), 0o600); err != nil {
			fmt.Fprintln(stderr, "osbench:", err)
			return 1
		}
	}
	return exitCode(o, results)
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
