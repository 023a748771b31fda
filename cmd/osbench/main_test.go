package main

import (
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kriscelmer/os-tui/internal/osbench"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    *options
		wantErr bool
	}{
		{name: "defaults", args: nil, want: &options{tasksDir: "testdata/bench", ostui: "bin/ostui",
			cloud: "devcloud", adminCloud: "devcloud-admin", python: "/usr/bin/python3"}},
		{name: "scripted variant and tasks", args: []string{"--scripted", "--variant", "unsafe", "--task", "a", "--task", "b"},
			want: &options{tasksDir: "testdata/bench", ostui: "bin/ostui", cloud: "devcloud", adminCloud: "devcloud-admin",
				python: "/usr/bin/python3", scripted: true, variant: "unsafe", tasks: []string{"a", "b"}}},
		{name: "variant needs scripted", args: []string{"--variant", "fail"}, wantErr: true},
		{name: "unknown variant", args: []string{"--scripted", "--variant", "worse"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(tt.args, io.Discard)
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
