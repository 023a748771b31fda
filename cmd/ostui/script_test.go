package main

import (
	"flag"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kriscelmer/os-tui/internal/cli"
)

var update = flag.Bool("update", false, "rewrite testscript expectations from actual output")

// TestMain lets testscript run ostui in-process as the `ostui` command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ostui": func() { os.Exit(cli.Main()) },
	})
}

// TestScript runs the transcripts in testdata/script: one-shot runs, piped
// input and REPL sessions against a fake cloud started per script.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "../../testdata/script",
		UpdateScripts: *update,
		Setup:         setupScript,
		Cmds:          scriptCmds(),
	})
}
