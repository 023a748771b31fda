package secrets

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile0600 writes data to path so that a reader sees either the old
// file or the whole new one, and nobody but the owner can read it: the data
// goes to a 0600 temporary file in the same directory, is synced, and is
// renamed over path. Missing parent directories are created with mode 0700.
//
// A symlink at path is refused: following it could put a secret wherever
// the link points, and replacing it would silently break what someone set
// up on purpose.
func WriteFile0600(path string, data []byte) error {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("write %s: refusing to write through a symlink", path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("write %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write %s: create directory: %w", path, err)
	}
	// CreateTemp makes the file 0600, so the data is never readable by
	// others, not even for a moment.
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() { _ = os.Remove(tmp) }() // a no-op once renamed
	if err := writeSync(f, data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// Rename replaces a symlink created since the Lstat above instead of
	// following it, so the check cannot be raced into writing elsewhere.
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// writeSync writes, chmods, syncs and closes f, reporting the first error.
func writeSync(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		// Explicit, in case CreateTemp's mode ever changes.
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes the rename durable. It is best effort: some filesystems
// (and Windows) cannot sync a directory, and the data itself is already
// synced.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
