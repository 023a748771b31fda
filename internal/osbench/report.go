package osbench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Result is the outcome of one run of one task.
type Result struct {
	Task    string `json:"task"`
	Kind    string `json:"kind"`
	Variant string `json:"variant,omitempty"`
	// Attempt counts the task's runs from 1 (--repeat k runs it k times).
	Attempt int      `json:"attempt"`
	Pass    bool     `json:"pass"`
	Why     []string `json:"why,omitempty"`
	Unsafe  []string `json:"unsafe,omitempty"`
	// Foreign are differences nothing ties to the task (another user of
	// the shared project); listed, not counted. See Split.
	Foreign []string      `json:"foreign,omitempty"`
	Usage   Usage         `json:"usage"`
	Latency time.Duration `json:"latency_ns"`
	// Error is a harness fault (setup failed, cloud unreachable): the
	// task says nothing about the model then.
	Error string `json:"error,omitempty"`
}

// Price is what the endpoint charges, in US dollars per million tokens.
type Price struct {
	InPerMTok  float64 `json:"input_usd_per_mtok"`
	OutPerMTok float64 `json:"output_usd_per_mtok"`
}

// Cost of the usage at the price.
func (p Price) Cost(u Usage) float64 {
	return (float64(u.PromptTokens)*p.InPerMTok + float64(u.CompletionTokens)*p.OutPerMTok) / 1e6
}

// TaskSummary is one task over its runs.
type TaskSummary struct {
	Task   string `json:"task"`
	Kind   string `json:"kind"`
	Runs   int    `json:"runs"`
	Passed int    `json:"passed"`
	// PassAt1 is passed/runs: the chance one run passes.
	PassAt1 float64 `json:"pass_at_1"`
	// PassAll: every run passed (the task counts toward pass^k).
	PassAll          bool          `json:"pass_all"`
	Unsafe           int           `json:"unsafe"`
	Errors           int           `json:"errors"`
	PromptTokens     int           `json:"prompt_tokens"`
	CompletionTokens int           `json:"completion_tokens"`
	CostUSD          float64       `json:"cost_usd"`
	MedianLatency    time.Duration `json:"median_latency_ns"`
	P90Latency       time.Duration `json:"p90_latency_ns"`
}

// Summary is the whole run in a few numbers.
type Summary struct {
	// Tasks is the number of distinct tasks; Runs = Tasks × K when
	// nothing was interrupted.
	Tasks  int `json:"tasks"`
	Runs   int `json:"runs"`
	K      int `json:"k"`
	Passed int `json:"passed"`
	// PassAt1 is passed runs / runs: the mean of the tasks' pass@1.
	PassAt1 float64 `json:"pass_at_1"`
	// PassAllK is the fraction of tasks that passed every one of their
	// runs: pass^k, which punishes a model that solves a task only
	// sometimes (with k = 1 it equals pass@1).
	PassAllK         float64       `json:"pass_hat_k"`
	TasksPassedAll   int           `json:"tasks_passed_all"`
	PromptTokens     int           `json:"prompt_tokens"`
	CompletionTokens int           `json:"completion_tokens"`
	CostUSD          float64       `json:"cost_usd"`
	MedianLatency    time.Duration `json:"median_latency_ns"`
	P90Latency       time.Duration `json:"p90_latency_ns"`
	Unsafe           int           `json:"unsafe"`
	Errors           int           `json:"errors"`
}

// SummarizeTasks groups results by task, in the order tasks first appear.
func SummarizeTasks(rs []Result, price Price) []TaskSummary {
	var out []TaskSummary
	lat := map[string][]time.Duration{}
	at := map[string]int{}
	for _, r := range rs {
		i, ok := at[r.Task]
		if !ok {
			i = len(out)
			at[r.Task] = i
			out = append(out, TaskSummary{Task: r.Task, Kind: r.Kind})
		}
		t := &out[i]
		t.Runs++
		if r.Pass {
			t.Passed++
		}
		if r.Error != "" {
			t.Errors++
		}
		t.Unsafe += len(r.Unsafe)
		t.PromptTokens += r.Usage.PromptTokens
		t.CompletionTokens += r.Usage.CompletionTokens
		t.CostUSD += price.Cost(r.Usage)
		lat[r.Task] = append(lat[r.Task], r.Latency)
	}
	for i := range out {
		t := &out[i]
		t.PassAt1 = float64(t.Passed) / float64(t.Runs)
		t.PassAll = t.Passed == t.Runs
		t.MedianLatency = percentile(lat[t.Task], 50)
		t.P90Latency = percentile(lat[t.Task], 90)
	}
	return out
}

// Summarize adds up results.
func Summarize(rs []Result, price Price) Summary {
	var s Summary
	var lat []time.Duration
	for _, r := range rs {
		s.Runs++
		if r.Pass {
			s.Passed++
		}
		if r.Error != "" {
			s.Errors++
		}
		s.PromptTokens += r.Usage.PromptTokens
		s.CompletionTokens += r.Usage.CompletionTokens
		s.CostUSD += price.Cost(r.Usage)
		s.Unsafe += len(r.Unsafe)
		lat = append(lat, r.Latency)
		s.K = max(s.K, r.Attempt)
	}
	tasks := SummarizeTasks(rs, price)
	s.Tasks = len(tasks)
	for _, t := range tasks {
		if t.PassAll {
			s.TasksPassedAll++
		}
	}
	if s.Runs > 0 {
		s.PassAt1 = float64(s.Passed) / float64(s.Runs)
		s.PassAllK = float64(s.TasksPassedAll) / float64(s.Tasks)
		s.K = max(s.K, 1)
	}
	s.MedianLatency = percentile(lat, 50)
	s.P90Latency = percentile(lat, 90)
	return s
}

// percentile is the nearest-rank percentile: the smallest value with at
// least p% of the values at or below it, so p90 of ten latencies is the
// ninth, an observed value rather than an interpolation. The median of an
// even count is the mean of the middle two, as usual.
func percentile(ds []time.Duration, p int) time.Duration {
	n := len(ds)
	if n == 0 {
		return 0
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	if p == 50 && n%2 == 0 {
		return (ds[n/2-1] + ds[n/2]) / 2
	}
	rank := int(math.Ceil(float64(p) / 100 * float64(n)))
	return ds[min(max(rank, 1), n)-1]
}

// WriteReport prints a table with one row per task (over its runs), the
// reasons behind each failure and unsafe action, and the summary.
func WriteReport(w io.Writer, rs []Result, price Price) error {
	s := Summarize(rs, price)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "task\tkind\tpass\tunsafe\tprompt tok\tcompl tok\tcost\tp50\tp90\t")
	for _, t := range SummarizeTasks(rs, price) {
		pass := "FAIL"
		switch {
		case s.K > 1:
			pass = fmt.Sprintf("%d/%d", t.Passed, t.Runs)
		case t.Errors > 0:
			pass = "ERROR"
		case t.PassAll:
			pass = "ok"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t$%.4f\t%.1fs\t%.1fs\t\n", t.Task, t.Kind, pass, t.Unsafe,
			t.PromptTokens, t.CompletionTokens, t.CostUSD, t.MedianLatency.Seconds(), t.P90Latency.Seconds())
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	var notes strings.Builder
	for _, r := range rs {
		name := r.Task
		if s.K > 1 {
			name = fmt.Sprintf("%s #%d", r.Task, r.Attempt)
		}
		for _, why := range r.Why {
			fmt.Fprintf(&notes, "  %s: %s\n", name, why)
		}
		for _, u := range r.Unsafe {
			fmt.Fprintf(&notes, "  %s: UNSAFE %s\n", name, u)
		}
		if len(r.Foreign) > 0 {
			// Often dozens on a busy shared project: counted here, listed
			// in report.json.
			fmt.Fprintf(&notes, "  %s: %d changes by others set aside (\"foreign\" in report.json)\n", name, len(r.Foreign))
		}
		if r.Error != "" {
			fmt.Fprintf(&notes, "  %s: harness error: %s\n", name, r.Error)
		}
	}
	if notes.Len() > 0 {
		fmt.Fprintf(w, "\n%s", notes.String())
	}
	_, err := fmt.Fprintf(w, "\n%s\n", SummaryLine(s))
	if err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

// SummaryLine is the report's last line.
func SummaryLine(s Summary) string {
	return fmt.Sprintf("pass@1 %d/%d (%.0f%%)  pass^%d %d/%d (%.0f%%)  tokens %d prompt + %d completion  cost $%.4f  latency p50 %.1fs p90 %.1fs  unsafe actions %d",
		s.Passed, s.Runs, 100*s.PassAt1, s.K, s.TasksPassedAll, s.Tasks, 100*s.PassAllK,
		s.PromptTokens, s.CompletionTokens, s.CostUSD, s.MedianLatency.Seconds(), s.P90Latency.Seconds(), s.Unsafe)
}

// SchemaVersion names the JSON report's shape; docs/os-bench.md
// describes it. Bump it when a field changes meaning or goes away.
const SchemaVersion = "osbench/v1"

// Report is the JSON report: enough to compare two models' runs.
type Report struct {
	Schema string `json:"schema"`
	// Model is the model the endpoint served ("scripted" for --scripted);
	// Provider is openai, azure or github.
	Model    string    `json:"model"`
	Provider string    `json:"provider,omitempty"`
	Variant  string    `json:"variant,omitempty"`
	Cloud    string    `json:"cloud"`
	Started  time.Time `json:"started"`
	// WallSeconds is the whole run, setup and cleanup included.
	WallSeconds float64       `json:"wall_seconds"`
	Price       Price         `json:"price"`
	Summary     Summary       `json:"summary"`
	Tasks       []TaskSummary `json:"tasks"`
	Results     []Result      `json:"results"`
}

// NewReport fills in the summaries from the results.
func NewReport(rs []Result, price Price) Report {
	return Report{Schema: SchemaVersion, Price: price, Results: rs,
		Summary: Summarize(rs, price), Tasks: SummarizeTasks(rs, price)}
}

// ReadReport loads a JSON report and refuses another schema.
func ReadReport(b []byte) (*Report, error) {
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("reading report: %w", err)
	}
	if r.Schema != SchemaVersion {
		return nil, fmt.Errorf("report schema %q: this osbench reads %q", r.Schema, SchemaVersion)
	}
	return &r, nil
}

// WriteComparison prints reports side by side: one column per report
// (its model), a row per task with passed/runs, then the summary rows.
// A task one report lacks shows "-".
func WriteComparison(w io.Writer, reports []*Report, labels []string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "task\t%s\n", strings.Join(labels, "\t"))
	var order []string
	seen := map[string]bool{}
	byTask := make([]map[string]TaskSummary, len(reports))
	for i, r := range reports {
		byTask[i] = map[string]TaskSummary{}
		for _, t := range r.Tasks {
			byTask[i][t.Task] = t
			if !seen[t.Task] {
				seen[t.Task] = true
				order = append(order, t.Task)
			}
		}
	}
	slices.Sort(order)
	row := func(name string, cell func(r *Report, i int) string) {
		cells := make([]string, len(reports))
		for i, r := range reports {
			cells[i] = cell(r, i)
		}
		fmt.Fprintf(tw, "%s\t%s\n", name, strings.Join(cells, "\t"))
	}
	for _, task := range order {
		row(task, func(_ *Report, i int) string {
			t, ok := byTask[i][task]
			switch {
			case !ok:
				return "-"
			case t.Unsafe > 0:
				return fmt.Sprintf("%d/%d UNSAFE %d", t.Passed, t.Runs, t.Unsafe)
			}
			return fmt.Sprintf("%d/%d", t.Passed, t.Runs)
		})
	}
	row("pass@1", func(r *Report, _ int) string { return fmt.Sprintf("%.0f%%", 100*r.Summary.PassAt1) })
	row("pass^k", func(r *Report, _ int) string {
		return fmt.Sprintf("%.0f%% (k=%d)", 100*r.Summary.PassAllK, r.Summary.K)
	})
	row("unsafe actions", func(r *Report, _ int) string { return fmt.Sprint(r.Summary.Unsafe) })
	row("prompt tokens/run", func(r *Report, _ int) string { return perRun(r.Summary.PromptTokens, r.Summary.Runs) })
	row("completion tokens/run", func(r *Report, _ int) string { return perRun(r.Summary.CompletionTokens, r.Summary.Runs) })
	row("cost", func(r *Report, _ int) string {
		return fmt.Sprintf("$%.4f (in %g, out %g /Mtok)", r.Summary.CostUSD, r.Price.InPerMTok, r.Price.OutPerMTok)
	})
	row("latency p50", func(r *Report, _ int) string { return fmt.Sprintf("%.1fs", r.Summary.MedianLatency.Seconds()) })
	row("latency p90", func(r *Report, _ int) string { return fmt.Sprintf("%.1fs", r.Summary.P90Latency.Seconds()) })
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing comparison: %w", err)
	}
	return nil
}

func perRun(n, runs int) string {
	if runs == 0 {
		return "0"
	}
	return fmt.Sprint(n / runs)
}
