package toolstest

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
)

// recorder is a testing.TB whose Fatalf is recorded, so a test can prove
// that Tool fails the test it serves.
type recorder struct {
	testing.TB
	fatal string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// call runs f as a test would, returning what Fatalf said ("" if nothing).
func call(t *testing.T, f func(tb testing.TB)) string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r.fatal
}

// TestToolValidates proves a tool's functions, as Tool hands them out,
// refuse arguments the tool's schema refuses, as the gate would, and pass
// arguments it accepts.
func TestToolValidates(t *testing.T) {
	var ran []string
	stop := tools.Tool{
		Name: "server.stop", Effect: tools.Change, Service: "compute",
		Run: func(_ context.Context, _ *tools.Env, args tools.Args) (*tools.Result, error) {
			ran = append(ran, "run "+string(args))
			return &tools.Result{}, nil
		},
		Check: func(_ context.Context, _ *tools.Env, args tools.Args) (*tools.Check, error) {
			ran = append(ran, "check "+string(args))
			return &tools.Check{}, nil
		},
		Preview: func(_ context.Context, _ *tools.Env, args tools.Args, _ *tools.Check) (*tools.Preview, error) {
			ran = append(ran, "preview "+string(args))
			return &tools.Preview{}, nil
		},
	}
	tests := []struct {
		name      string
		use       func(tl tools.Tool, args tools.Args) error
		args      string
		wantFatal string
	}{
		{name: "check, valid", args: `{"server": "web-1"}`, use: func(tl tools.Tool, a tools.Args) error {
			_, err := tl.Check(t.Context(), nil, a)
			return err
		}},
		{name: "check, an unknown argument", args: `{"server": "web-1", "force": true}`, wantFatal: "Check of server.stop", use: func(tl tools.Tool, a tools.Args) error {
			_, err := tl.Check(t.Context(), nil, a)
			return err
		}},
		{name: "preview, a required argument missing", args: `{}`, wantFatal: "Preview of server.stop", use: func(tl tools.Tool, a tools.Args) error {
			_, err := tl.Preview(t.Context(), nil, a, nil)
			return err
		}},
		{name: "run, an empty name", args: `{"server": ""}`, wantFatal: "Run of server.stop", use: func(tl tools.Tool, a tools.Args) error {
			_, err := tl.Run(t.Context(), nil, a)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran = nil
			fatal := call(t, func(tb testing.TB) {
				if err := tt.use(Tool(tb, []tools.Tool{stop}, "server.stop"), tools.Args(tt.args)); err != nil {
					t.Error(err)
				}
			})
			switch {
			case tt.wantFatal == "" && fatal != "":
				t.Errorf("valid arguments failed the test: %s", fatal)
			case tt.wantFatal == "" && len(ran) != 1:
				t.Errorf("the tool ran %v, want once", ran)
			case tt.wantFatal != "" && !strings.Contains(fatal, tt.wantFatal):
				t.Errorf("fatal = %q, want it to contain %q", fatal, tt.wantFatal)
			case tt.wantFatal != "" && len(ran) != 0:
				t.Errorf("the tool ran %v with arguments its schema refuses", ran)
			}
		})
	}
}
