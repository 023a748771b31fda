package network

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTagsAfter(t *testing.T) {
	tests := []struct {
		name        string
		current     []string
		clear       bool
		add, remove []string
		want        []string
	}{
		{name: "nothing", want: []string{}},
		{name: "add to current", current: []string{"b"}, add: []string{"a", "b"}, want: []string{"a", "b"}},
		{name: "clear then add", current: []string{"old"}, clear: true, add: []string{"new"}, want: []string{"new"}},
		{name: "remove", current: []string{"a", "b"}, remove: []string{"a", "z"}, want: []string{"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, TagsAfter(tt.current, tt.clear, tt.add, tt.remove)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if !SameTags([]string{"b", "a"}, []string{"a", "b"}) || SameTags([]string{"a"}, nil) {
		t.Error("SameTags compares sets")
	}
}
