package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// crashChildEnv switches the test binary into the child role of
// TestAppendSurvivesSIGKILL; its value is the audit file to append to.
const crashChildEnv = "OSTUI_AUDIT_CRASH_CHILD"

// crashRecords is how many records the child must report written before
// the parent kills it.
const crashRecords = 40

// TestAppendSurvivesSIGKILL runs a child process that appends records as
// fast as it can, kills it with SIGKILL mid-stream, and checks that every
// record the child saw Append accept is on disk and that the crash cost at
// most one (torn) line.
func TestAppendSurvivesSIGKILL(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	if runtime.GOOS == "windows" {
		t.Skip("needs ExtraFiles and SIGKILL")
	}
	path := filepath.Join(t.TempDir(), FileName)

	// The child reports each accepted record on fd 3, so the parent knows
	// when to kill it without sleeping or polling the file.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = pr.Close() }()
	cmd := exec.Command(os.Args[0], "-test.run=^TestAppendSurvivesSIGKILL$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	cmd.ExtraFiles = []*os.File{pw}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	_ = pw.Close() // only the child writes now; EOF means it died

	acked := -1
	sc := bufio.NewScanner(pr)
	for acked < crashRecords-1 && sc.Scan() {
		n, err := strconv.Atoi(sc.Text())
		if err != nil {
			t.Fatalf("child reported %q", sc.Text())
		}
		acked = n
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no chance to clean up
		t.Fatal(err)
	}
	_ = cmd.Wait() // "signal: killed" is the expected outcome
	if acked < crashRecords-1 {
		t.Fatalf("child stopped after %d records; stderr:\n%s", acked+1, stderr.String())
	}

	recs, skipped, err := Read(path, 0)
	if err != nil {
		t.Fatalf("Read after SIGKILL: %v", err)
	}
	t.Logf("child acknowledged %d records; file holds %d whole, %d skipped", acked+1, len(recs), skipped)
	checkSequence(t, recs, acked+1)
	if skipped > 1 {
		t.Errorf("skipped = %d lines, want at most 1", skipped)
	}

	// The next run appends after whatever the crash left.
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(Record{Event: EventPlan, PlanID: "after-crash"}); err != nil {
		t.Fatal(err)
	}
	_ = l.Close()
	recs2, skipped2, err := Read(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs2) != len(recs)+1 || recs2[len(recs2)-1].PlanID != "after-crash" || skipped2 != skipped {
		t.Errorf("after reopening: %d records (want %d), %d skipped (want %d)", len(recs2), len(recs)+1, skipped2, skipped)
	}
}

// checkSequence verifies that recs are steps 0, 1, 2, ... with intact
// arguments and at least min of them.
func checkSequence(t *testing.T, recs []Record, min int) {
	t.Helper()
	if len(recs) < min {
		t.Errorf("file holds %d whole records, want at least the %d acknowledged", len(recs), min)
	}
	for i, r := range recs {
		if r.Step != strconv.Itoa(i) {
			t.Fatalf("record %d has step %q: a record is missing or out of order", i, r.Step)
		}
		var a struct{ Seq int }
		if err := json.Unmarshal(r.Args, &a); err != nil || a.Seq != i {
			t.Fatalf("record %d has damaged args %s (err %v)", i, r.Args, err)
		}
	}
}

// crashChild appends numbered records until killed, reporting each on fd 3.
// It exits when the parent stops listening, so it cannot outlive a failed
// test for long.
func crashChild(path string) {
	report := os.NewFile(3, "report")
	l, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// Large records make it likely that the kill lands inside a write.
	pad := strings.Repeat("x", 256<<10)
	for i := range 1_000_000 {
		args := fmt.Sprintf(`{"seq":%d,"pad":%q}`, i, pad)
		if err := l.Append(Record{Event: EventStep, PlanID: "crash", Step: strconv.Itoa(i), Args: json.RawMessage(args)}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if _, err := fmt.Fprintln(report, i); err != nil {
			os.Exit(0) // the parent is gone
		}
	}
	os.Exit(0)
}
