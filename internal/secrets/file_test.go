package secrets

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteFile0600(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix file modes")
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, path string)
		wantErr string
	}{
		{"new file in new dirs", nil, ""},
		{"replaces a loose file", func(t *testing.T, path string) {
			mustMkdir(t, filepath.Dir(path))
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, ""},
		{"refuses a symlink", func(t *testing.T, path string) {
			mustMkdir(t, filepath.Dir(path))
			target := filepath.Join(filepath.Dir(path), "target")
			if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}, "symlink"},
		{"refuses a dangling symlink", func(t *testing.T, path string) {
			mustMkdir(t, filepath.Dir(path))
			if err := os.Symlink(filepath.Join(t.TempDir(), "nowhere"), path); err != nil {
				t.Fatal(err)
			}
		}, "symlink"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			path := filepath.Join(root, "a", "b", "secure.yaml")
			if tt.setup != nil {
				tt.setup(t, path)
			}
			err := WriteFile0600(path, []byte("password: CANARY\n"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("WriteFile0600 error = %v, want one mentioning %q", err, tt.wantErr)
				}
				if fi, lerr := os.Lstat(path); lerr != nil || fi.Mode()&os.ModeSymlink == 0 {
					t.Errorf("symlink was replaced or removed (err %v)", lerr)
				}
				return
			}
			if err != nil {
				t.Fatalf("WriteFile0600: %v", err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff("password: CANARY\n", string(got)); diff != "" {
				t.Errorf("content mismatch (-want +got):\n%s", diff)
			}
			assertMode(t, path, 0o600)
			if tt.setup == nil {
				assertMode(t, filepath.Join(root, "a"), 0o700)
				assertMode(t, filepath.Join(root, "a", "b"), 0o700)
			}
			entries, err := os.ReadDir(filepath.Dir(path))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".tmp") {
					t.Errorf("temporary file left behind: %s", e.Name())
				}
			}
		})
	}
}

func TestWriteFile0600FailureLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "isdir")
	mustMkdir(t, path) // renaming a file over a directory fails
	if err := WriteFile0600(path, []byte("x")); err == nil {
		t.Fatal("WriteFile0600 over a directory succeeded")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the target dir", len(entries))
	}
}

func mustMkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
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
