package repl

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// staticCompleter completes the last word of the line from a fixed list.
type staticCompleter []string

func (s staticCompleter) Complete(line string, pos int) ([]string, int) {
	r := []rune(line)[:pos]
	start := pos
	for start > 0 && r[start-1] != ' ' {
		start--
	}
	return s, pos - start
}

func TestSuffixes(t *testing.T) {
	tests := []struct {
		name        string
		line        string
		pos         int
		cands       []string
		replace     int
		want        []string
		wantReplace int
	}{
		{
			name: "one candidate completes the word",
			line: "sub", pos: 3, cands: []string{"subnet"}, replace: 3,
			want: []string{"net"}, wantReplace: 3,
		},
		{
			name: "ambiguous candidates keep their differing tails",
			line: "server ser", pos: 10, cands: []string{"server", "service"}, replace: 3,
			want: []string{"ver", "vice"}, wantReplace: 3,
		},
		{
			name: "empty word offers whole candidates",
			line: "server ", pos: 7, cands: []string{"list", "show"}, replace: 0,
			want: []string{"list", "show"}, wantReplace: 0,
		},
		{
			name: "cursor mid-line completes the word before it",
			line: "server li --long", pos: 9, cands: []string{"list"}, replace: 2,
			want: []string{"st"}, wantReplace: 2,
		},
		{
			name: "candidates not extending the typed text are dropped",
			line: "Ser", pos: 3, cands: []string{"server", "Service"}, replace: 3,
			want: []string{"vice"}, wantReplace: 3,
		},
		{
			name: "exact match yields an empty suffix",
			line: "list", pos: 4, cands: []string{"list", "lists"}, replace: 4,
			want: []string{"", "s"}, wantReplace: 4,
		},
		{
			name: "repeated candidates are listed once",
			line: "s", pos: 1, cands: []string{"show", "show", "set"}, replace: 1,
			want: []string{"how", "et"}, wantReplace: 1,
		},
		{
			name: "positions count runes, not bytes",
			line: "zoné", pos: 4, cands: []string{"zonés"}, replace: 4,
			want: []string{"s"}, wantReplace: 4,
		},
		{
			name: "replace beyond the cursor is clamped",
			line: "ab", pos: 2, cands: []string{"abc"}, replace: 9,
			want: []string{"c"}, wantReplace: 2,
		},
		{
			name: "no candidates",
			line: "x", pos: 1, cands: nil, replace: 1,
			want: nil, wantReplace: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, gotReplace := suffixes([]rune(tt.line), tt.pos, tt.cands, tt.replace)
			if diff := cmp.Diff(tt.want, runesToStrings(got)); diff != "" {
				t.Errorf("suffixes (-want +got):\n%s", diff)
			}
			if gotReplace != tt.wantReplace {
				t.Errorf("replace = %d, want %d", gotReplace, tt.wantReplace)
			}
		})
	}
}

func TestAutoCompleterAsksTheCompleter(t *testing.T) {
	ac := autoCompleter{c: staticCompleter{"network", "neutron", "nova"}}
	got, n := ac.Do([]rune("openstack ne"), 12)
	if diff := cmp.Diff([]string{"twork", "utron"}, runesToStrings(got)); diff != "" {
		t.Errorf("Do() (-want +got):\n%s", diff)
	}
	if n != 2 {
		t.Errorf("Do() length = %d, want 2", n)
	}
}

func runesToStrings(rs [][]rune) []string {
	if rs == nil {
		return nil
	}
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}
