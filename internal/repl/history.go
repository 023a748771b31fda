package repl

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// historyMode is the only mode a history file may have: typed commands can
// carry project names, addresses and mistakes such as pasted passwords.
const historyMode fs.FileMode = 0o600

// keepInHistory reports whether line may be remembered. Blank lines are noise
// and a leading space or tab is the user's way of saying "don't record this".
func keepInHistory(line string) bool {
	if strings.TrimSpace(line) == "" {
		return false
	}
	return line[0] != ' ' && line[0] != '\t'
}

// historyFile appends accepted lines to a private file. ostui manages the
// file itself rather than handing the path to readline, because readline
// creates and rewrites it world-readable (0666 less umask) and cannot skip
// space-prefixed lines before they reach disk.
type historyFile struct {
	path string
	f    *os.File
	last string // most recent line written, to skip immediate repeats
}

// openHistory makes sure path exists with mode 0600, returns its last limit
// lines (oldest first) and keeps it open for appending.
func openHistory(path string, limit int) (*historyFile, []string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("create history directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, historyMode)
	if err != nil {
		return nil, nil, fmt.Errorf("open history file: %w", err)
	}
	if err := tighten(f); err != nil {
		return nil, nil, errors.Join(err, closeHistory(f))
	}
	lines, total, err := readHistory(f, limit)
	if err != nil {
		return nil, nil, errors.Join(err, closeHistory(f))
	}
	h := &historyFile{path: path, f: f}
	if len(lines) > 0 {
		h.last = lines[len(lines)-1]
	}
	if total > len(lines) {
		// The file outgrew the limit; rewrite it so it does not grow forever.
		if err := h.rewrite(lines); err != nil {
			return nil, nil, errors.Join(err, closeHistory(f))
		}
	}
	return h, lines, nil
}

// tighten drops group and other permissions from an existing history file
// that was created elsewhere (an older ostui, or by hand).
func tighten(f *os.File) error {
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat history file: %w", err)
	}
	if info.Mode().Perm()&^historyMode == 0 {
		return nil
	}
	if err := f.Chmod(historyMode); err != nil {
		return fmt.Errorf("restrict history file to mode 0600: %w", err)
	}
	return nil
}

// readHistory returns the last limit non-blank lines of f and how many
// non-blank lines it held in all.
func readHistory(f *os.File, limit int) ([]string, int, error) {
	var lines []string
	total := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if !keepInHistory(line) {
			continue
		}
		total++
		lines = append(lines, line)
		if len(lines) > limit {
			lines = lines[1:]
		}
	}
	if err := sc.Err(); err != nil {
		return nil, 0, fmt.Errorf("read history file: %w", err)
	}
	return lines, total, nil
}

// rewrite replaces the file's contents with lines through a private
// temporary file and a rename, so a crash never leaves half a history.
func (h *historyFile) rewrite(lines []string) error {
	tmp, err := os.CreateTemp(filepath.Dir(h.path), filepath.Base(h.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("trim history file: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // no-op once renamed
	w := bufio.NewWriter(tmp)
	for _, line := range lines {
		// A bufio.Writer's errors are sticky: Flush below reports them.
		_, _ = w.WriteString(line)
		_ = w.WriteByte('\n')
	}
	err = errors.Join(w.Flush(), tmp.Chmod(historyMode), tmp.Close())
	if err != nil {
		return fmt.Errorf("trim history file: %w", err)
	}
	if err := os.Rename(tmp.Name(), h.path); err != nil {
		return fmt.Errorf("trim history file: %w", err)
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND, historyMode)
	if err != nil {
		return fmt.Errorf("reopen history file: %w", err)
	}
	// The old descriptor was only read from and its file has just been
	// replaced, so a failure to close it loses nothing.
	_ = h.f.Close()
	h.f = f
	return nil
}

// Append records line, unless it repeats the previous entry.
func (h *historyFile) Append(line string) error {
	if line == h.last {
		return nil
	}
	if _, err := h.f.WriteString(line + "\n"); err != nil {
		return fmt.Errorf("append to history file %s: %w", h.path, err)
	}
	h.last = line
	return nil
}

// Close closes the underlying file.
func (h *historyFile) Close() error {
	return closeHistory(h.f)
}

func closeHistory(f *os.File) error {
	if err := f.Close(); err != nil {
		return fmt.Errorf("close history file: %w", err)
	}
	return nil
}
