package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kriscelmer/os-tui/internal/osbench"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    *options
		wantErr bool
	}{
		{name: "defaults", args: nil, want: &options{tasksDir: "testdata/bench", ostui: "bin/ostui",
			cloud: "devcloud", adminCloud: "devcloud-admin", python: "/usr/bin/python3", repeat: 1, parallel: 1}},
		{name: "scripted variant and tasks", args: []string{"--scripted", "--variant", "unsafe", "--task", "a", "--task", "b"},
			want: &options{tasksDir: "testdata/bench", ostui: "bin/ostui", cloud: "devcloud", adminCloud: "devcloud-admin",
				python: "/usr/bin/python3", scripted: true, variant: "unsafe", tasks: []string{"a", "b"}, repeat: 1, parallel: 1}},
		{name: "repeat, price and out", args: []string{"--repeat", "3", "--price-in", "0.40", "--price-out", "$1.60", "--out", "o"},
			want: &options{tasksDir: "testdata/bench", ostui: "bin/ostui", cloud: "devcloud", adminCloud: "devcloud-admin",
				python: "/usr/bin/python3", repeat: 3, parallel: 1, price: osbench.Price{InPerMTok: 0.40, OutPerMTok: 1.60}, outDir: "o"}},
		{name: "price from the environment", env: map[string]string{"OSBENCH_PRICE_IN": "2", "OSBENCH_PRICE_OUT": "8"},
			want: &options{tasksDir: "testdata/bench", ostui: "bin/ostui", cloud: "devcloud", adminCloud: "devcloud-admin",
				python: "/usr/bin/python3", repeat: 1, parallel: 1, price: osbench.Price{InPerMTok: 2, OutPerMTok: 8}}},
		{name: "a flag beats the environment", args: []string{"--price-in", "1"}, env: map[string]string{"OSBENCH_PRICE_IN": "2"},
			want: &options{tasksDir: "testdata/bench", ostui: "bin/ostui", cloud: "devcloud", adminCloud: "devcloud-admin",
				python: "/usr/bin/python3", repeat: 1, parallel: 1, price: osbench.Price{InPerMTok: 1}}},
		{name: "variant needs scripted", args: []string{"--variant", "fail"}, wantErr: true},
		{name: "unknown variant", args: []string{"--scripted", "--variant", "worse"}, wantErr: true},
		{name: "parallel zero", args: []string{"--parallel", "0"}, wantErr: true},
		{name: "repeat zero", args: []string{"--repeat", "0"}, wantErr: true},
		{name: "bad price", args: []string{"--price-out", "cheap"}, wantErr: true},
		{name: "negative price", env: map[string]string{"OSBENCH_PRICE_IN": "-1"}, wantErr: true},
		{name: "stray argument", args: []string{"c-stop-server"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(tt.args, io.Discard, func(k string) string { return tt.env[k] })
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(options{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	pass := osbench.Result{Pass: true}
	fail := osbench.Result{}
	unsafe := osbench.Result{Unsafe: []string{"server x modified"}}
	broken := osbench.Result{Error: "setup failed"}
	tests := []struct {
		name string
		o    options
		rs   []osbench.Result
		want int
	}{
		{"scripted all pass", options{scripted: true}, []osbench.Result{pass, pass}, 0},
		{"scripted failure", options{scripted: true}, []osbench.Result{pass, fail}, 1},
		{"real model failure is a score, not an error", options{}, []osbench.Result{pass, fail}, 0},
		{"real model unsafe", options{}, []osbench.Result{pass, unsafe}, 1},
		{"harness error", options{}, []osbench.Result{broken}, 1},
		{"fail variant caught", options{scripted: true, variant: "fail"}, []osbench.Result{fail, unsafe}, 0},
		{"fail variant missed", options{scripted: true, variant: "fail"}, []osbench.Result{fail, pass}, 1},
		{"unsafe variant caught", options{scripted: true, variant: "unsafe"}, []osbench.Result{unsafe}, 0},
		{"unsafe variant missed", options{scripted: true, variant: "unsafe"}, []osbench.Result{unsafe, fail}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(&tt.o, tt.rs); got != tt.want {
				t.Errorf("exitCode = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestCompareUsage(t *testing.T) {
	var out, errs strings.Builder
	if got := compare([]string{"only-one.json"}, &out, &errs); got != 2 || !strings.Contains(errs.String(), "usage: osbench compare") {
		t.Errorf("compare with one file = %d, %q", got, errs.String())
	}
	errs.Reset()
	if got := compare([]string{"missing-a.json", "missing-b.json"}, &out, &errs); got != 1 || !strings.Contains(errs.String(), "missing-a.json") {
		t.Errorf("compare of missing files = %d, %q", got, errs.String())
	}
}

func TestCompareReports(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, model := range []string{"model-a", "model-b"} {
		r := osbench.NewReport([]osbench.Result{{Task: "c-stop-server", Attempt: 1, Pass: i == 0}}, osbench.Price{})
		r.Model = model
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, model+".json")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var out, errs strings.Builder
	if got := compare(paths, &out, &errs); got != 0 {
		t.Fatalf("compare = %d: %s", got, errs.String())
	}
	for _, want := range []string{"model-a (model-a.json)", "c-stop-server", "1/1", "0/1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("comparison lacks %q:\n%s", want, out.String())
		}
	}
}

func TestVerdict(t *testing.T) {
	tests := []struct {
		r    osbench.Result
		want string
	}{
		{osbench.Result{Pass: true, Latency: 1500 * time.Millisecond}, "ok (1.5s)"},
		{osbench.Result{Why: []string{"verify.sh: FAIL"}, Unsafe: []string{"server x modified"}}, "FAIL verify.sh: FAIL; server x modified"},
		{osbench.Result{Error: "setup.sh: exit status 1"}, "ERROR setup.sh: exit status 1"},
	}
	for _, tt := range tests {
		if got := verdict(tt.r); got != tt.want {
			t.Errorf("verdict(%+v) = %q, want %q", tt.r, got, tt.want)
		}
	}
}
