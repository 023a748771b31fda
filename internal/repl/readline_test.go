package repl

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Keys as a terminal sends them.
const (
	keyCtrlC = "\x03"
	keyCtrlD = "\x04"
	keyCtrlR = "\x12"
	keyUp    = "\x1b[A"
)

// readAll drives an editor built on input until it reports io.EOF and returns
// what each ReadLine gave, errors spelled as <interrupt>.
func readAll(t *testing.T, cfg Config, input string) []string {
	t.Helper()
	cfg.Stdin = io.NopCloser(strings.NewReader(input))
	cfg.Stdout = io.Discard
	if cfg.Stderr == nil {
		cfg.Stderr = io.Discard
	}
	ed, err := New(cfg)
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	var got []string
	for {
		line, err := ed.ReadLine()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, ErrInterrupt) {
			got = append(got, "<interrupt>")
			continue
		}
		if err != nil {
			t.Fatalf("ReadLine() error = %v", err)
		}
		got = append(got, line)
	}
	if err := ed.Close(); err != nil {
		t.Fatalf("Close() error = %v", err)
	}
	return got
}

func TestEditorReadsPipedInput(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{name: "lines", input: "server list\nflavor list\n", want: []string{"server list", "flavor list"}},
		{name: "last line without newline", input: "a\nb", want: []string{"a", "b"}},
		{name: "ctrl-c discards the typed line", input: "delete everything" + keyCtrlC + "server list\n", want: []string{"<interrupt>", "server list"}},
		{name: "ctrl-d on an empty line ends input", input: "a\n" + keyCtrlD + "never\n", want: []string{"a"}},
		{name: "up recalls the previous line", input: "server list\n" + keyUp + "\n", want: []string{"server list", "server list"}},
		{name: "up skips space-prefixed lines", input: "server list\n secret\n" + keyUp + "\n", want: []string{"server list", " secret", "server list"}},
		{name: "ctrl-r searches history", input: "server list\nflavor list\n" + keyCtrlR + "serv\n", want: []string{"server list", "flavor list", "server list"}},
		{name: "ctrl-r search folds case", input: "Server list\nflavor list\n" + keyCtrlR + "SERV\n", want: []string{"Server list", "flavor list", "Server list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, Config{}, tt.input)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHistoryFileIsPrivateAndSkipsSecrets(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "ostui")
	path := filepath.Join(dir, "history")
	readAll(t, Config{HistoryFile: path}, "server list\n export OS_PASSWORD=x\n\nserver list\nflavor list\n")

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("server list\nflavor list\n", string(data)); diff != "" {
		t.Errorf("history file (-want +got):\n%s", diff)
	}
	assertMode(t, path, 0o600)
	assertMode(t, dir, 0o700)
}

func TestHistoryFileIsTightenedAndReloaded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	if err := os.WriteFile(path, []byte("image list\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil { // beat the umask
		t.Fatal(err)
	}

	got := readAll(t, Config{HistoryFile: path}, keyUp+"\nnetwork list\n")

	if diff := cmp.Diff([]string{"image list", "network list"}, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("image list\nnetwork list\n", string(data)); diff != "" {
		t.Errorf("history file (-want +got):\n%s", diff)
	}
	assertMode(t, path, 0o600)
}

func TestHistoryFileIsTrimmedToLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	if err := os.WriteFile(path, []byte("one\ntwo\nthree\nfour\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	// Up twice reaches the oldest entry still kept.
	got := readAll(t, Config{HistoryFile: path, HistoryLimit: 2}, keyUp+keyUp+keyUp+"\n")

	if diff := cmp.Diff([]string{"three"}, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("three\nfour\nthree\n", string(data)); diff != "" {
		t.Errorf("history file (-want +got):\n%s", diff)
	}
	assertMode(t, path, 0o600)
}

func TestHistoryCanBeDisabled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	got := readAll(t, Config{HistoryFile: path, HistoryLimit: -1}, "server list\n"+keyUp+"\n")
	if diff := cmp.Diff([]string{"server list", ""}, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("history file stat error = %v, want it never created", err)
	}
}

func TestNewFailsOnUnusableHistoryFile(t *testing.T) {
	dir := t.TempDir() // a directory where the file should be
	_, err := New(Config{HistoryFile: dir, Stdin: io.NopCloser(strings.NewReader("")), Stdout: io.Discard})
	if err == nil {
		t.Fatal("New() succeeded with a directory as history file, want an error")
	}
}

func TestKeepInHistory(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{"server list", true},
		{"server list  ", true},
		{" server create --password x", false},
		{"\tsecret", false},
		{"", false},
		{"   ", false},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			if got := keepInHistory(tt.line); got != tt.want {
				t.Errorf("keepInHistory(%q) = %v, want %v", tt.line, got, tt.want)
			}
		})
	}
}

func assertMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("mode of %s = %o, want %o", path, got, want)
	}
}
