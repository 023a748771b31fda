package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/agent/router"
)

// TestAlarmCreateWizard: /alarm create with values left out becomes
// questions (x-ask), a threshold is read as a number and a comparison
// operator outside the enum is asked again, not refused at the end.
func TestAlarmCreateWizard(t *testing.T) {
	tests := []struct {
		line   string
		wizard bool
	}{
		{"/alarm create", true},
		{"/alarm create cpu-high --metric cpu", true},
		{"/alarm create cpu-high --metric cpu --threshold lots", false},
		{"/alarm create cpu-high --resource-id web-1 --metric cpu --threshold 80", false},
	}
	s, _, _ := testShell(t)
	r := router.New(s.Registry, nil)
	for _, tt := range tests {
		_, err := r.Route(tt.line)
		if _, ok := s.wantsWizard(err); ok != tt.wizard {
			t.Errorf("%s: wizard = %t, want %t (err %v)", tt.line, ok, tt.wizard, err)
		}
	}
	tool, ok := s.Registry.Lookup("alarm.create")
	if !ok {
		t.Fatal("alarm.create is not registered")
	}
	if got := strings.Join(tool.Spec.Ask, " "); !strings.HasPrefix(got, "name resource metric comparison_operator threshold") {
		t.Errorf("x-ask = %s", got)
	}
	asks := []struct {
		prop    string
		answers []string
		want    any
		prompts int
	}{
		{"threshold", []string{"lots", "80.5"}, 80.5, 2},
		{"comparison_operator", []string{"bigger", "gt"}, "gt", 2},
		{"evaluation_periods", []string{"3"}, 3, 1},
		{"alarm_actions", []string{"log://, http://hook.example/x"}, []any{"log://", "http://hook.example/x"}, 1},
	}
	for _, a := range asks {
		s, asker, _ := testShell(t, a.answers...)
		p, _ := tool.Spec.Prop(a.prop)
		got, ok, err := s.askProp(context.Background(), tool, p)
		if err != nil || !ok {
			t.Fatalf("%s: ok %t, err %v", a.prop, ok, err)
		}
		if want := a.want; !equalJSON(t, got, want) {
			t.Errorf("%s = %v, want %v", a.prop, got, want)
		}
		if len(asker.prompts) != a.prompts {
			t.Errorf("%s asked %d times, want %d", a.prop, len(asker.prompts), a.prompts)
		}
	}
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ab, err1 := json.Marshal(a)
	bb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		t.Fatalf("marshal: %v %v", err1, err2)
	}
	return string(ab) == string(bb)
}
