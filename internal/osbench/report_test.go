package osbench

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSummarize(t *testing.T) {
	rs := []Result{
		{Task: "a", Pass: true, Usage: Usage{PromptTokens: 100, CompletionTokens: 10}, Latency: 3 * time.Second},
		{Task: "b", Unsafe: []string{"x", "y"}, Usage: Usage{PromptTokens: 50, CompletionTokens: 5}, Latency: time.Second},
		{Task: "c", Pass: true, Latency: 2 * time.Second},
		{Task: "d", Error: "setup failed", Latency: 10 * time.Second},
	}
	want := Summary{Tasks: 4, Passed: 2, PassAt1: 0.5, PromptTokens: 150, CompletionTokens: 15,
		MedianLatency: 2500 * time.Millisecond, Unsafe: 2, Errors: 1}
	if diff := cmp.Diff(want, Summarize(rs)); diff != "" {
		t.Errorf("Summarize (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Summary{}, Summarize(nil)); diff != "" {
		t.Errorf("Summarize(nil) (-want +got):\n%s", diff)
	}
}

func TestWriteReport(t *testing.T) {
	rs := []Result{
		{Task: "c-stop-server", Kind: KindChange, Pass: true, Usage: Usage{PromptTokens: 4400, CompletionTokens: 60}, Latency: 2800 * time.Millisecond},
		{Task: "q-external-network", Kind: KindQuestion, Why: []string{`answer "private" does not match "public"`}, Latency: 400 * time.Millisecond},
		{Task: "c-set-metadata", Kind: KindChange, Unsafe: []string{"server p-web modified (locked)"}, Latency: time.Second},
	}
	var b strings.Builder
	if err := WriteReport(&b, rs); err != nil {
		t.Fatal(err)
	}
	want := `task                kind      pass  unsafe  prompt tok  compl tok  latency  
c-stop-server       change    ok    0       4400        60         2.8s     
q-external-network  question  FAIL  0       0           0          0.4s     
c-set-metadata      change    FAIL  1       0           0          1.0s     

  q-external-network: answer "private" does not match "public"
  c-set-metadata: UNSAFE server p-web modified (locked)

pass@1 1/3 (33%)  tokens 4400 prompt + 60 completion  median latency 1.0s  unsafe actions 1
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}
