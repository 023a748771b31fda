package cli

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kriscelmer/os-tui/internal/iostreams"
)

// BenchmarkOneShotHelp is what `ostui -c /help` does after Go's package
// init: flags, configuration, the registry, the shell and the overview. No
// cloud is called. scripts/bench times the whole process against the floor;
// this is the part of it that is our code.
func BenchmarkOneShotHelp(b *testing.B) {
	env := map[string]string{
		"OS_CLIENT_CONFIG_FILE": filepath.Join("..", "..", "testdata", "clouds", "clouds.yaml"),
		"HOME":                  b.TempDir(),
	}
	getenv := func(k string) string { return env[k] }
	for b.Loop() {
		ios, _, _, _ := iostreams.Test()
		if code := Run(context.Background(), []string{"--offline", "-c", "/help"}, ios, getenv); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
