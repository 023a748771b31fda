package osbench

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSummarize(t *testing.T) {
	rs := []Result{
		{Task: "a", Attempt: 1, Pass: true, Usage: Usage{PromptTokens: 100, CompletionTokens: 10}, Latency: 3 * time.Second},
		{Task: "b", Attempt: 1, Unsafe: []string{"x", "y"}, Usage: Usage{PromptTokens: 50, CompletionTokens: 5}, Latency: time.Second},
		{Task: "c", Attempt: 1, Pass: true, Latency: 2 * time.Second},
		{Task: "d", Attempt: 1, Error: "setup failed", Latency: 10 * time.Second},
	}
	price := Price{InPerMTok: 2, OutPerMTok: 10}
	want := Summary{Tasks: 4, Runs: 4, K: 1, Passed: 2, PassAt1: 0.5, PassAllK: 0.5, TasksPassedAll: 2,
		PromptTokens: 150, CompletionTokens: 15, CostUSD: (150*2 + 15*10) / 1e6,
		MedianLatency: 2500 * time.Millisecond, P90Latency: 10 * time.Second, Unsafe: 2, Errors: 1}
	if diff := cmp.Diff(want, Summarize(rs, price)); diff != "" {
		t.Errorf("Summarize (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Summary{}, Summarize(nil, price)); diff != "" {
		t.Errorf("Summarize(nil) (-want +got):\n%s", diff)
	}
}

// pass^k counts a task only when all its runs pass; pass@1 is the mean.
func TestSummarizeRepeat(t *testing.T) {
	rs := []Result{
		{Task: "a", Attempt: 1, Pass: true}, {Task: "b", Attempt: 1, Pass: true}, {Task: "c", Attempt: 1},
		{Task: "a", Attempt: 2, Pass: true}, {Task: "b", Attempt: 2}, {Task: "c", Attempt: 2},
		{Task: "a", Attempt: 3, Pass: true}, {Task: "b", Attempt: 3, Pass: true}, {Task: "c", Attempt: 3},
	}
	s := Summarize(rs, Price{})
	if s.K != 3 || s.Tasks != 3 || s.Runs != 9 || s.Passed != 5 || s.TasksPassedAll != 1 {
		t.Fatalf("summary = %+v", s)
	}
	if got, want := s.PassAllK, 1.0/3; got != want {
		t.Errorf("pass^3 = %v, want %v", got, want)
	}
	if got, want := s.PassAt1, 5.0/9; got != want {
		t.Errorf("pass@1 = %v, want %v", got, want)
	}
	ts := SummarizeTasks(rs, Price{})
	if len(ts) != 3 || ts[1].Task != "b" || ts[1].Passed != 2 || ts[1].Runs != 3 || ts[1].PassAll {
		t.Errorf("task b = %+v", ts[1])
	}
}

func TestPercentile(t *testing.T) {
	s := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Second
		}
		return out
	}
	tests := []struct {
		name string
		in   []time.Duration
		p    int
		want time.Duration
	}{
		{"empty", nil, 90, 0},
		{"one", s(4), 90, 4 * time.Second},
		{"median odd", s(3, 1, 2), 50, 2 * time.Second},
		{"median even", s(4, 1, 2, 3), 50, 2500 * time.Millisecond},
		{"p90 of ten is the ninth", s(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 90, 9 * time.Second},
		{"p90 of three is the largest", s(1, 2, 3), 90, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.in, tt.p); got != tt.want {
				t.Errorf("percentile(%v, %d) = %v, want %v", tt.in, tt.p, got, tt.want)
			}
		})
	}
}

func TestWriteReport(t *testing.T) {
	rs := []Result{
		{Task: "c-stop-server", Kind: KindChange, Attempt: 1, Pass: true, Usage: Usage{PromptTokens: 4400, CompletionTokens: 60}, Latency: 2800 * time.Millisecond},
		{Task: "q-external-network", Kind: KindQuestion, Attempt: 1, Why: []string{`answer "private" does not match "public"`}, Latency: 400 * time.Millisecond},
		{Task: "c-set-metadata", Kind: KindChange, Attempt: 1, Unsafe: []string{"server p-web modified (locked)"},
			Foreign: []string{"server e2e-vm created"}, Latency: time.Second},
	}
	var b strings.Builder
	if err := WriteReport(&b, rs, Price{InPerMTok: 1, OutPerMTok: 4}); err != nil {
		t.Fatal(err)
	}
	want := `task                kind      pass  unsafe  prompt tok  compl tok  cost     p50   p90   
c-stop-server       change    ok    0       4400        60         $0.0046  2.8s  2.8s  
q-external-network  question  FAIL  0       0           0          $0.0000  0.4s  0.4s  
c-set-metadata      change    FAIL  1       0           0          $0.0000  1.0s  1.0s  

  q-external-network: answer "private" does not match "public"
  c-set-metadata: UNSAFE server p-web modified (locked)
  c-set-metadata: 1 changes by others set aside ("foreign" in report.json)

pass@1 1/3 (33%)  pass^1 1/3 (33%)  tokens 4400 prompt + 60 completion  cost $0.0046  latency p50 1.0s p90 2.8s  unsafe actions 1
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

func TestWriteReportRepeat(t *testing.T) {
	rs := []Result{
		{Task: "a", Kind: KindChange, Attempt: 1, Pass: true},
		{Task: "a", Kind: KindChange, Attempt: 2, Why: []string{"verify.sh: FAIL"}},
	}
	var b strings.Builder
	if err := WriteReport(&b, rs, Price{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"a     change  1/2", "a #2: verify.sh: FAIL", "pass@1 1/2 (50%)  pass^2 0/1 (0%)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

func TestReportRoundTripAndCompare(t *testing.T) {
	a := NewReport([]Result{{Task: "t1", Attempt: 1, Pass: true, Latency: time.Second}, {Task: "t2", Attempt: 1}}, Price{InPerMTok: 1})
	a.Model = "model-a"
	b := NewReport([]Result{{Task: "t1", Attempt: 1, Unsafe: []string{"x"}}, {Task: "t3", Attempt: 1, Pass: true}}, Price{})
	b.Model = "model-b"
	var reports []*Report
	for _, r := range []Report{a, b} {
		raw, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ReadReport(raw)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, back)
	}
	var out strings.Builder
	if err := WriteComparison(&out, reports, []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	want := `task                   a                            b
t1                     1/1                          0/1 UNSAFE 1
t2                     0/1                          -
t3                     -                            1/1
pass@1                 50%                          50%
pass^k                 50% (k=1)                    50% (k=1)
unsafe actions         0                            1
prompt tokens/run      0                            0
completion tokens/run  0                            0
cost                   $0.0000 (in 1, out 0 /Mtok)  $0.0000 (in 0, out 0 /Mtok)
latency p50            0.5s                         0.0s
latency p90            1.0s                         0.0s
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("comparison (-want +got):\n%s", diff)
	}
	if _, err := ReadReport([]byte(`{"schema":"osbench/v0"}`)); err == nil || !strings.Contains(err.Error(), "osbench/v1") {
		t.Errorf("ReadReport of another schema: err = %v", err)
	}
	if _, err := ReadReport([]byte(`{`)); err == nil {
		t.Error("ReadReport of broken JSON: no error")
	}
}
