package cli

import (
	"os"
	"path/filepath"
)

// Paths are where ostui keeps files between runs.
type Paths struct {
	// CacheDir holds the token cache (tokens/, 0700).
	CacheDir string
	// StateDir holds history, the audit log and saved sessions (0700).
	StateDir string
	// RecipeDir is the recipe folder, a git repository (0755: recipes
	// hold no secrets): $OSTUI_RECIPE_DIR, or $XDG_DATA_HOME/ostui/recipes
	// (~/.local/share/ostui/recipes).
	RecipeDir string
}

// DefaultPaths follows the XDG base directories: $XDG_CACHE_HOME/ostui
// (or ~/.cache/ostui) and $XDG_STATE_HOME/ostui (or ~/.local/state/ostui).
// OSTUI_CACHE_DIR and OSTUI_STATE_DIR override them (tests use these).
func DefaultPaths(getenv func(string) string) Paths {
	home, _ := os.UserHomeDir()
	pick := func(override, xdg, fallback string) string {
		if v := getenv(override); override != "" && v != "" {
			return v
		}
		if v := getenv(xdg); v != "" {
			return filepath.Join(v, "ostui")
		}
		return filepath.Join(home, fallback, "ostui")
	}
	p := Paths{
		CacheDir:  pick("OSTUI_CACHE_DIR", "XDG_CACHE_HOME", ".cache"),
		StateDir:  pick("OSTUI_STATE_DIR", "XDG_STATE_HOME", filepath.Join(".local", "state")),
		RecipeDir: filepath.Join(pick("", "XDG_DATA_HOME", filepath.Join(".local", "share")), "recipes"),
	}
	if v := getenv("OSTUI_RECIPE_DIR"); v != "" {
		p.RecipeDir = v
	}
	return p
}

// HistoryFile is the REPL's history file.
func (p Paths) HistoryFile() string { return filepath.Join(p.StateDir, "history") }
