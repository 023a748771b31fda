package cli

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseChoice(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want []int
		err  string
	}{
		{"1", 3, []int{0}, ""},
		{"3,1", 3, []int{0, 2}, ""},
		{"1-3", 5, []int{0, 1, 2}, ""},
		{"2 4-5, 2", 5, []int{1, 3, 4}, ""},
		{"all", 3, []int{0, 1, 2}, ""},
		{"ALL", 2, []int{0, 1}, ""},
		{"0", 3, nil, `"0": choose between 1 and 3`},
		{"4", 3, nil, `"4": choose between 1 and 3`},
		{"3-1", 3, nil, `"3-1": choose between 1 and 3`},
		{"x", 3, nil, `"x" is not a number or a range like 3-5`},
		{"1-", 3, nil, `"1-" is not a number`},
		{",", 3, nil, "choose by number"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseChoice(tt.in, tt.n)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseChoice(%q) = %v, %v; want error %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestTagsFixLine(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"/tags check p.yaml --fix", "/tags fix p.yaml", true},
		{"/tags check --fix 'my policy.yaml'", "/tags fix 'my policy.yaml'", true},
		{"/tags check p.yaml", "/tags check p.yaml", false},
		{"/tags fix p.yaml", "/tags fix p.yaml", false},
		{"/server list --fix", "/server list --fix", false},
		{"tags check p.yaml --fix", "tags check p.yaml --fix", false},
	}
	for _, tt := range tests {
		got, ok := tagsFixLine(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("tagsFixLine(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
