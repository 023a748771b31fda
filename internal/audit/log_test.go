package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// openTemp opens a log in a fresh directory with a fixed clock.
func openTemp(t *testing.T) (*Log, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "ostui", FileName)
	l, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	l.now = func() time.Time { return t0 }
	t.Cleanup(func() { _ = l.Close() })
	return l, path
}

func TestDefaultPath(t *testing.T) {
	if got, want := DefaultPath(filepath.Join("s", "ostui")), filepath.Join("s", "ostui", "audit.jsonl"); got != want {
		t.Errorf("DefaultPath = %q, want %q", got, want)
	}
}

func TestOpenModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix file modes")
	}
	tests := []struct {
		name     string
		existing os.FileMode // 0: no file yet
	}{
		{"new file", 0},
		{"loose file tightened", 0o644},
		{"world-writable file tightened", 0o666},
		{"already private", 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "a", "b")
			path := DefaultPath(dir)
			if tt.existing != 0 {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, nil, tt.existing); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tt.existing); err != nil { // past the umask
					t.Fatal(err)
				}
			}
			l, err := Open(path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer func() { _ = l.Close() }()
			assertMode(t, path, 0o600)
			if tt.existing == 0 {
				assertMode(t, dir, 0o700)
				assertMode(t, filepath.Dir(dir), 0o700)
			}
		})
	}
}

func TestOpenRefusesDirectory(t *testing.T) {
	_, err := Open(t.TempDir())
	if err == nil {
		t.Fatal("Open on a directory succeeded")
	}
}

func TestAppendRead(t *testing.T) {
	l, path := openTemp(t)
	recs := []Record{
		{Event: EventPlan, PlanID: "p1", Origin: "slash", Goal: "stop web-1", Cloud: "dev", Project: "demo", User: "alice", Region: "RegionOne"},
		{Event: EventApproval, PlanID: "p1", Approval: "keyboard"},
		{Time: t0.Add(time.Second), Event: EventStep, PlanID: "p1", Step: "s1", Tool: "server.stop", Effect: "change",
			Args: json.RawMessage(`{"server": "web-1"}`), Result: "ok", RequestIDs: []string{"req-1", "req-2"},
			DurationMS: 1500, Targets: []string{"server web-1 (0a1b)"}},
		{Event: EventStep, PlanID: "p1", Step: "s2", Tool: "server.start", Result: "failed", Error: "Conflict: <b> & \"quoted\"\nsecond line"},
	}
	for _, r := range recs {
		if err := l.Append(r); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(raw, []byte("\n")); n != len(recs) {
		t.Errorf("file has %d lines, want %d:\n%s", n, len(recs), raw)
	}

	want := make([]Record, len(recs))
	copy(want, recs)
	for i := range want {
		if want[i].Time.IsZero() {
			want[i].Time = t0
		}
	}
	want[2].Args = json.RawMessage(`{"server":"web-1"}`) // compacted on the way

	tests := []struct {
		name  string
		limit int
		want  []Record
	}{
		{"all", 0, want},
		{"negative is all", -1, want},
		{"last two", 2, want[2:]},
		{"last one", 1, want[3:]},
		{"more than there are", 10, want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, skipped, err := Read(path, tt.limit)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if skipped != 0 {
				t.Errorf("skipped = %d, want 0", skipped)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Read mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadMissingFile(t *testing.T) {
	got, skipped, err := Read(filepath.Join(t.TempDir(), "nope.jsonl"), 0)
	if err != nil || skipped != 0 || len(got) != 0 {
		t.Errorf("Read(missing) = %v, %d, %v; want nothing", got, skipped, err)
	}
}

func TestReadSkipsBadLines(t *testing.T) {
	good := func(id string) string {
		return `{"time":"2026-03-01T12:00:00Z","event":"step","plan_id":"` + id + `"}`
	}
	tests := []struct {
		name        string
		content     string
		wantIDs     []string
		wantSkipped int
	}{
		{"torn last line", good("a") + "\n" + good("b") + "\n" + good("c")[:30], []string{"a", "b"}, 1},
		{"whole last line without newline", good("a") + "\n" + good("b"), []string{"a", "b"}, 0},
		{"corrupt line in the middle", good("a") + "\n{\"time\":\x00garbage\n" + good("b") + "\n", []string{"a", "b"}, 1},
		{"torn line ended by a later Open", good("a") + "\n" + good("b")[:20] + "\n" + good("c") + "\n", []string{"a", "c"}, 1},
		{"non-object JSON", "null\n3\n\"x\"\n[]\n" + good("a") + "\n", []string{"a"}, 4},
		{"blank lines ignored", "\n\n" + good("a") + "\n\n", []string{"a"}, 0},
		{"empty file", "", nil, 0},
		{"overlong line", good("a") + "\n" + strings.Repeat("x", maxLine+10) + "\n" + good("b") + "\n", []string{"a", "b"}, 1},
		{"long valid line", strings.Replace(good("a"), `"event"`, `"goal":"`+strings.Repeat("g", 200<<10)+`","event"`, 1) + "\n", []string{"a"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			recs, skipped, err := Read(path, 0)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			var ids []string
			for _, r := range recs {
				ids = append(ids, r.PlanID)
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("plan IDs mismatch (-want +got):\n%s", diff)
			}
			if skipped != tt.wantSkipped {
				t.Errorf("skipped = %d, want %d", skipped, tt.wantSkipped)
			}
		})
	}
}

// A crash leaves half a record without a newline; the next run's records
// must not be glued onto it.
func TestOpenEndsTornLine(t *testing.T) {
	l, path := openTemp(t)
	if err := l.Append(Record{Event: EventPlan, PlanID: "before"}); err != nil {
		t.Fatal(err)
	}
	_ = l.Close()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"time":"2026-03-01T12:00:00Z","event":"st`); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()

	l2, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := l2.Append(Record{Event: EventPlan, PlanID: "after"}); err != nil {
		t.Fatal(err)
	}
	_ = l2.Close()

	recs, skipped, err := Read(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.PlanID)
	}
	if diff := cmp.Diff([]string{"before", "after"}, ids); diff != "" {
		t.Errorf("plan IDs mismatch (-want +got):\n%s", diff)
	}
	if skipped != 1 {
		t.Errorf("skipped = %d, want 1", skipped)
	}
}

func TestAppendRedacts(t *testing.T) {
	l, path := openTemp(t)
	recs := []Record{
		{Event: EventStep, PlanID: "p", Tool: "server.create",
			Args: json.RawMessage(`{"name":"web-1","adminPass":"CANARY-admin","user_data":"CANARY-ud","networks":[{"uuid":"n","token":"CANARY-tok"}]}`)},
		{Event: EventStep, PlanID: "p", Args: json.RawMessage(`{"password": "CANARY-broken"`)},
		{Event: EventStep, PlanID: "p", Result: "failed", Error: "401 from Keystone\nX-Auth-Token: CANARY-hdr"},
		{Event: EventPlan, PlanID: "p", Goal: "import -----BEGIN PRIVATE KEY-----\nCANARY-pem\n-----END PRIVATE KEY-----"},
	}
	for _, r := range recs {
		if err := l.Append(r); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("CANARY")) {
		t.Errorf("a canary reached the audit file:\n%s", raw)
	}
	if !bytes.Contains(raw, []byte(`"adminPass":"<redacted>"`)) || !bytes.Contains(raw, []byte(`"name":"web-1"`)) {
		t.Errorf("file does not show redacted and kept fields as expected:\n%s", raw)
	}
	got, _, err := Read(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(`"<unparseable, redacted>"`, string(got[1].Args)); diff != "" {
		t.Errorf("unparseable args (-want +got):\n%s", diff)
	}
	// The caller's record is left alone.
	if !bytes.Contains(recs[0].Args, []byte("CANARY-admin")) {
		t.Error("Append modified the caller's Args")
	}
}

func TestAppendConcurrent(t *testing.T) {
	l, path := openTemp(t)
	const writers, each = 8, 50
	// Big arguments make a torn or interleaved line likely if writes split.
	pad := strings.Repeat("p", 8<<10)
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				args := fmt.Sprintf(`{"w":%d,"i":%d,"pad":%q}`, w, i, pad)
				if err := l.Append(Record{Event: EventStep, PlanID: fmt.Sprintf("w%d", w), Step: fmt.Sprint(i), Args: json.RawMessage(args)}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Append: %v", err)
	}
	recs, skipped, err := Read(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if skipped != 0 || len(recs) != writers*each {
		t.Fatalf("Read = %d records, %d skipped; want %d, 0", len(recs), skipped, writers*each)
	}
	next := map[string]int{} // each writer's records appear in its order
	for _, r := range recs {
		if want := fmt.Sprint(next[r.PlanID]); r.Step != want {
			t.Fatalf("writer %s: step %s, want %s", r.PlanID, r.Step, want)
		}
		next[r.PlanID]++
		var a struct{ Pad string }
		if err := json.Unmarshal(r.Args, &a); err != nil || a.Pad != pad {
			t.Fatalf("record %s/%s has damaged args (err %v)", r.PlanID, r.Step, err)
		}
	}
}

func TestAppendAfterClose(t *testing.T) {
	l, _ := openTemp(t)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	err := l.Append(Record{Event: EventPlan})
	if !errors.Is(err, os.ErrClosed) {
		t.Errorf("Append after Close = %v, want os.ErrClosed", err)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s mode = %#o, want %#o", path, got, want)
	}
}
