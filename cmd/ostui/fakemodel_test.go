package main

import (
	"context"
	"os"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kriscelmer/os-tui/internal/llm/llmtest"
)

// scriptT maps a script's work directory to its test, so that checks made
// after the script (in a Defer, where ts.Fatalf cannot be used) can fail it.
var scriptT sync.Map

// fakeModel starts a scripted OpenAI-compatible model for the rest of the
// script and points OPENAI_BASE_URL at it:
//
//	fakemodel SCRIPT.yaml [CANARY...]
//
// Every request it gets, and every expectation that failed ("llmtest:
// FAIL ..."), goes to $WORK/fakemodel.log; at the end of the script a
// failed expectation, a leaked canary or a scripted turn never requested
// fails the test. The script file's models list answers GET /v1/models.
func fakeModel(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: fakemodel SCRIPT [CANARY...]")
	}
	script, opts, err := llmtest.LoadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	logPath := ts.MkAbs("fakemodel.log")
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	ts.Check(err)
	srv, err := llmtest.RunServer("127.0.0.1:0", script, log, append(opts, llmtest.Canaries(args[1:]...))...)
	ts.Check(err)
	ts.Setenv("OPENAI_BASE_URL", "http://"+srv.Addr+"/v1")
	ts.Setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
	ts.Setenv("OSTUI_MODEL", "scripted")
	ts.Defer(func() {
		_ = srv.Shutdown(context.Background()) // also reports turns never requested
		_ = log.Close()
		b, _ := os.ReadFile(logPath)
		var fails []string
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "llmtest: FAIL") {
				fails = append(fails, line)
			}
		}
		if len(fails) > 0 {
			// ts.Fatalf only works inside a script line; after the script,
			// the test itself is failed.
			if t, ok := scriptT.Load(ts.Getenv("WORK")); ok {
				t.(testscript.T).Fatal("the scripted model's checks failed (a wrong request, a leaked secret, or turns never requested):\n" + strings.Join(fails, "\n"))
			}
		}
	})
}
