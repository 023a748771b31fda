package toolset

import (
	"regexp"
	"testing"
)

// TestRegistry proves every tool has a schema that compiles and every
// schema has a tool; NewRegistry refuses anything else.
func TestRegistry(t *testing.T) {
	reg, err := Registry()
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.CompileAll(); err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`^[a-z][a-z-]*(\.[a-z][a-z-]*){0,2}$`)
	for _, tool := range reg.Tools() {
		if !name.MatchString(tool.Name) {
			t.Errorf("tool name %q is not noun.verb", tool.Name)
		}
		if tool.Summary == "" {
			t.Errorf("tool %s has no summary", tool.Name)
		}
		if tool.Service == "" {
			t.Errorf("tool %s names no service", tool.Name)
		}
	}
}

// BenchmarkRegistry measures building the registry, which every command
// that is not --version pays once at start.
func BenchmarkRegistry(b *testing.B) {
	for b.Loop() {
		if _, err := Registry(); err != nil {
			b.Fatal(err)
		}
	}
}
