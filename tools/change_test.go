package tools

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRefs(t *testing.T) {
	args := Args(`{"network": "${net.id}", "ports": ["${p1.id}", "fixed"], "name": "web-${net.name}", "plain": "$notref"}`)
	got := Refs(args)
	want := [][2]string{{"net", "id"}, {"p1", "id"}, {"net", "name"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Refs (-want +got):\n%s", diff)
	}
	if !IsRef("${net.id}") || IsRef("net.id") || IsRef("${net}") {
		t.Error("IsRef disagrees with the reference syntax")
	}
	values := map[string]string{"net.id": "N1", "p1.id": "P1", "net.name": "blue"}
	resolved, err := ResolveRefs(args, func(step, field string) (string, bool) {
		v, ok := values[step+"."+field]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(`{"name":"web-blue","network":"N1","plain":"$notref","ports":["P1","fixed"]}`, string(resolved)); diff != "" {
		t.Errorf("ResolveRefs (-want +got):\n%s", diff)
	}
	_, err = ResolveRefs(Args(`{"a": "${ghost.id}"}`), func(string, string) (string, bool) { return "", false })
	var ue *UnresolvedRefError
	if !errors.As(err, &ue) || ue.Ref != "${ghost.id}" {
		t.Errorf("err = %v, want UnresolvedRefError for ${ghost.id}", err)
	}
}

func TestLevelOrder(t *testing.T) {
	// Danger is the most serious level a review sorts by, above Block.
	if Info >= Warn || Warn >= Block || Block >= Danger {
		t.Errorf("levels out of order: %d %d %d %d", Info, Warn, Block, Danger)
	}
	for l, want := range map[Level]string{Info: "info", Warn: "warn", Block: "block", Danger: "danger"} {
		if l.String() != want {
			t.Errorf("%d.String() = %q, want %q", l, l.String(), want)
		}
	}
}

func TestCheckBlocked(t *testing.T) {
	var none *Check
	if none.Blocked() {
		t.Error("nil check blocks")
	}
	c := &Check{Findings: []Finding{{Level: Info, Text: "ok"}, {Level: Warn, Text: "hm"}, {Level: Danger, Text: "forced"}}}
	if c.Blocked() {
		t.Error("warnings or a forced danger block")
	}
	c.Findings = append(c.Findings, Finding{Level: Block, Text: "no"})
	if !c.Blocked() {
		t.Error("a block finding does not block")
	}
}
