package llmtest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Running is a server started by RunServer. It is an http.Server whose
// Shutdown and Close also report, as a failure, every scripted turn that
// was never requested.
type Running struct {
	*http.Server
	h    *handler
	once sync.Once
}

// Shutdown stops the server gracefully, then reports unused turns.
func (r *Running) Shutdown(ctx context.Context) error {
	err := r.Server.Shutdown(ctx)
	r.finish()
	return err
}

// Close stops the server at once, then reports unused turns.
func (r *Running) Close() error {
	err := r.Server.Close()
	r.finish()
	return err
}

// Failures counts the failures reported so far ("llmtest: FAIL" lines).
func (r *Running) Failures() int { return r.h.failures() }

// finish reports the leftover turns once, however the server is stopped:
// only when nothing more can arrive is a turn known to be unused.
func (r *Running) finish() { r.once.Do(r.h.reportLeftovers) }

// RunServer serves script on addr (e.g. "127.0.0.1:0") in the background,
// outside `go test`: failures that would fail a test are written to log as
// lines starting "llmtest: FAIL", which a harness can look for; turns never
// requested are reported so when the server is shut down or closed. The
// returned server's Addr is the address actually bound, with its port.
func RunServer(addr string, script Script, log io.Writer, opts ...Option) (*Running, error) {
	if log == nil {
		log = io.Discard
	}
	report := func(format string, args ...any) {
		fmt.Fprintf(log, "llmtest: FAIL "+strings.TrimPrefix(format, "llmtest: ")+"\n", args...)
	}
	h := newHandler(script, report, opts...)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("fake model server: %w", err)
	}
	srv := &http.Server{
		Addr:              ln.Addr().String(),
		Handler:           logRequests(h, log),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(log, "llmtest: serving: %v\n", err)
		}
	}()
	return &Running{Server: srv, h: h}, nil
}

// logRequests notes each request, so a transcript's log shows the order.
func logRequests(next http.Handler, log io.Writer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(log, "llmtest: %s %s\n", r.Method, r.URL.Path)
		next.ServeHTTP(w, r)
	})
}

// Main runs a fake model server until interrupted and returns an exit
// code; a test binary or another command calls it with its arguments:
//
//	--addr 127.0.0.1:0  --script turns.yaml  --port-file PATH  [--canary S]...  [--model NAME]...
//
// The chosen port is written to PATH once the server listens, so a script
// started in the background can wait for the file and read the port.
// Canaries come from --canary and from the script file's canaries list;
// the models GET /v1/models lists from --model and the file's models list.
// The exit code is 1 when anything failed, turns never requested included.
func Main(args []string) int {
	return run(args, os.Stderr, interrupted)
}

func run(args []string, stderr io.Writer, stop func() <-chan struct{}) int {
	fs := flag.NewFlagSet("llmtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
	scriptPath := fs.String("script", "", "script file (YAML or JSON)")
	portFile := fs.String("port-file", "", "file to write the chosen port to")
	var canaries stringList
	fs.Var(&canaries, "canary", "fail any request containing this string (repeatable)")
	var models stringList
	fs.Var(&models, "model", "a model name GET /v1/models lists (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *scriptPath == "" {
		fmt.Fprintln(stderr, "llmtest: --script is required")
		return 2
	}
	f, err := loadFile(*scriptPath)
	if err != nil {
		fmt.Fprintf(stderr, "llmtest: %v\n", err)
		return 1
	}
	srv, err := RunServer(*addr, f.Turns, stderr, append(f.options(), Canaries(canaries...), Models(models...))...)
	if err != nil {
		fmt.Fprintf(stderr, "llmtest: %v\n", err)
		return 1
	}
	defer func() { _ = srv.Close() }()
	if *portFile != "" {
		if err := writePort(*portFile, srv.Addr); err != nil {
			fmt.Fprintf(stderr, "llmtest: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "llmtest: serving %d turns on http://%s/v1\n", len(f.Turns), srv.Addr)
	<-stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	if n := srv.Failures(); n > 0 {
		fmt.Fprintf(stderr, "llmtest: %d failures (the FAIL lines above)\n", n)
		return 1
	}
	return 0
}

// writePort writes the port through a rename, so a reader polling for
// the file never sees it half written.
func writePort(path, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("port of %s: %w", addr, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".port-*")
	if err != nil {
		return fmt.Errorf("writing port file: %w", err)
	}
	if _, err := tmp.WriteString(port + "\n"); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("writing port file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("writing port file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing port file: %w", err)
	}
	return nil
}

func interrupted() <-chan struct{} {
	done := make(chan struct{})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		signal.Stop(sig)
		close(done)
	}()
	return done
}

// stringList collects a repeatable flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}
