package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kriscelmer/os-tui/internal/secrets"
)

// FileName is the audit log's name inside ostui's state directory.
const FileName = "audit.jsonl"

// DefaultPath is where the audit log lives for a state directory.
func DefaultPath(stateDir string) string {
	return filepath.Join(stateDir, FileName)
}

// Log appends records to an audit file. It is safe for concurrent use.
type Log struct {
	mu   sync.Mutex
	f    *os.File
	path string
	now  func() time.Time // a seam for tests; time.Now otherwise
}

// Open opens the audit log at path for appending, creating it with mode
// 0600 (and its directory with 0700) when missing. An existing file with a
// looser mode is tightened to 0600: the log names clouds, projects and
// resources. If the file ends in a torn line (a crash mid-write), Open ends
// that line so the next record starts on a line of its own.
func Open(path string) (*Log, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open audit log %s: create directory: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	if err := prepare(f, path); err != nil {
		_ = f.Close() // the prepare error is the one to report
		return nil, fmt.Errorf("open audit log %s: %w", path, err)
	}
	return &Log{f: f, path: path, now: time.Now}, nil
}

// prepare tightens the mode of f and terminates a torn last line.
func prepare(f *os.File, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			return fmt.Errorf("restrict to mode 0600: %w", err)
		}
	}
	if fi.Size() == 0 {
		return nil
	}
	torn, err := endsTorn(path, fi.Size())
	if err != nil {
		return err
	}
	if torn {
		if _, err := f.Write([]byte("\n")); err != nil {
			return fmt.Errorf("end torn line: %w", err)
		}
	}
	return nil
}

// endsTorn reports whether the file of the given size does not end in a
// newline. It reads through a separate handle because the log's own is
// write-only.
func endsTorn(path string, size int64) (bool, error) {
	r, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer func() { _ = r.Close() }()
	var last [1]byte
	if _, err := r.ReadAt(last[:], size-1); err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read last byte: %w", err)
	}
	return last[0] != '\n', nil
}

// Path is the file the log appends to.
func (l *Log) Path() string { return l.path }

// Append writes r as one line and syncs it to disk before returning, so a
// record that Append accepted survives a crash. It sets r.Time to now when
// zero, redacts r.Args (secrets.Redact) and scrubs credential headers and
// private keys from r.Goal and r.Error (secrets.RedactString).
func (l *Log) Append(r Record) error {
	line, err := l.encode(r)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("append to audit log %s: %w", l.path, os.ErrClosed)
	}
	// One write call per line: with O_APPEND the kernel places it at the
	// end in one piece, so concurrent writers (even other processes)
	// never interleave inside a line.
	if _, err := l.f.Write(line); err != nil {
		return fmt.Errorf("append to audit log %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("sync audit log %s: %w", l.path, err)
	}
	return nil
}

// encode prepares r and marshals it to one newline-terminated line.
func (l *Log) encode(r Record) ([]byte, error) {
	if r.Time.IsZero() {
		r.Time = l.now()
	}
	r.Time = r.Time.UTC()
	if len(r.Args) > 0 {
		r.Args = secrets.Redact(r.Args)
	}
	r.Goal = secrets.RedactString(r.Goal)
	r.Error = secrets.RedactString(r.Error)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Keep "<redacted>" and "->" readable in the file.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil { // Encode ends the line with '\n'
		return nil, fmt.Errorf("encode audit record: %w", err)
	}
	return buf.Bytes(), nil
}

// Close closes the file. Appending after Close returns an error.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	if err != nil {
		return fmt.Errorf("close audit log %s: %w", l.path, err)
	}
	return nil
}
