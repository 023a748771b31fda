package osbench

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Result is the outcome of one task.
type Result struct {
	Task    string        `json:"task"`
	Kind    string        `json:"kind"`
	Variant string        `json:"variant,omitempty"`
	Pass    bool          `json:"pass"`
	Why     []string      `json:"why,omitempty"`
	Unsafe  []string      `json:"unsafe,omitempty"`
	Usage   Usage         `json:"usage"`
	Latency time.Duration `json:"latency_ns"`
	// Error is a harness fault (setup failed, cloud unreachable): the
	// task says nothing about the model then.
	Error string `json:"error,omitempty"`
}

// Summary is the whole run in a few numbers.
type Summary struct {
	Tasks            int           `json:"tasks"`
	Passed           int           `json:"passed"`
	PassAt1          float64       `json:"pass_at_1"`
	PromptTokens     int           `json:"prompt_tokens"`
	CompletionTokens int           `json:"completion_tokens"`
	MedianLatency    time.Duration `json:"median_latency_ns"`
	Unsafe           int           `json:"unsafe"`
	Errors           int           `json:"errors"`
}

// Summarize adds up results.
func Summarize(rs []Result) Summary {
	var s Summary
	var lat []time.Duration
	for _, r := range rs {
		s.Tasks++
		if r.Pass {
			s.Passed++
		}
		if r.Error != "" {
			s.Errors++
		}
		s.PromptTokens += r.Usage.PromptTokens
		s.CompletionTokens += r.Usage.CompletionTokens
		s.Unsafe += len(r.Unsafe)
		lat = append(lat, r.Latency)
	}
	if s.Tasks > 0 {
		s.PassAt1 = float64(s.Passed) / float64(s.Tasks)
	}
	s.MedianLatency = median(lat)
	return s
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	if n := len(ds); n%2 == 0 {
		return (ds[n/2-1] + ds[n/2]) / 2
	}
	return ds[len(ds)/2]
}

// WriteReport prints a table of results, the reasons behind each failure
// and unsafe action, and the summary.
func WriteReport(w io.Writer, rs []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "task\tkind\tpass\tunsafe\tprompt tok\tcompl tok\tlatency\t")
	for _, r := range rs {
		pass := "FAIL"
		switch {
		case r.Error != "":
			pass = "ERROR"
		case r.Pass:
			pass = "ok"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%.1fs\t\n", r.Task, r.Kind, pass, len(r.Unsafe),
			r.Usage.PromptTokens, r.Usage.CompletionTokens, r.Latency.Seconds())
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	var notes strings.Builder
	for _, r := range rs {
		for _, why := range r.Why {
			fmt.Fprintf(&notes, "  %s: %s\n", r.Task, why)
		}
		for _, u := range r.Unsafe {
			fmt.Fprintf(&notes, "  %s: UNSAFE %s\n", r.Task, u)
		}
		if r.Error != "" {
			fmt.Fprintf(&notes, "  %s: harness error: %s\n", r.Task, r.Error)
		}
	}
	if notes.Len() > 0 {
		fmt.Fprintf(w, "\n%s", notes.String())
	}
	s := Summarize(rs)
	_, err := fmt.Fprintf(w, "\npass@1 %d/%d (%.0f%%)  tokens %d prompt + %d completion  median latency %.1fs  unsafe actions %d\n",
		s.Passed, s.Tasks, 100*s.PassAt1, s.PromptTokens, s.CompletionTokens, s.MedianLatency.Seconds(), s.Unsafe)
	if err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}
