package cloud

import (
	"fmt"
	"os"
	"path/filepath"
)

// DefaultCacheDir is ostui's cache directory: $XDG_CACHE_HOME/ostui or
// ~/.cache/ostui (the platform equivalent elsewhere).
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the cache directory: %w", err)
	}
	return filepath.Join(d, "ostui"), nil
}
