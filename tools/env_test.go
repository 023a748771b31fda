package tools

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
)

func TestLookups(t *testing.T) {
	tests := []struct {
		name      string
		prefetch  bool
		ids       []string
		fail      bool
		wantNames []string
		wantCalls int32
		wantErrs  int
	}{
		{name: "one list for many rows", ids: []string{"a", "b", "a"}, wantNames: []string{"A", "B", "A"}, wantCalls: 1},
		{name: "prefetch is shared", prefetch: true, ids: []string{"a", "b"}, wantNames: []string{"A", "B"}, wantCalls: 1},
		{name: "unknown ID refetches once", ids: []string{"a", "zz", "zz"}, wantNames: []string{"A", "", ""}, wantCalls: 2},
		{name: "failed prefetch is reported once", prefetch: true, fail: true, ids: []string{"a"}, wantNames: []string{""}, wantCalls: 1, wantErrs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			fetch := func(context.Context) (map[string]string, error) {
				calls.Add(1)
				if tt.fail {
					return nil, errors.New("glance is down")
				}
				return map[string]string{"a": "A", "b": "B"}, nil
			}
			l := &Lookups{}
			if tt.prefetch {
				l.Prefetch(t.Context(), "image", fetch)
			}
			errs := 0
			for i, id := range tt.ids {
				got, err := l.Name(t.Context(), "image", id, fetch)
				if err != nil {
					errs++
				}
				if got != tt.wantNames[i] {
					t.Errorf("Name(%s) = %q, want %q", id, got, tt.wantNames[i])
				}
			}
			if calls.Load() != tt.wantCalls {
				t.Errorf("fetch calls = %d, want %d", calls.Load(), tt.wantCalls)
			}
			if errs != tt.wantErrs {
				t.Errorf("errors = %d, want %d", errs, tt.wantErrs)
			}
		})
	}
}

func TestNames(t *testing.T) {
	var n Names
	n.Remember("server", "b", "a", "")
	n.Remember("server", "a")
	if got := n.Of("server"); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("Of = %v, want [a b]", got)
	}
	n.Replace("server", "c")
	if got := n.Of("server"); len(got) != 1 || got[0] != "c" {
		t.Errorf("after Replace, Of = %v, want [c]", got)
	}
	var nilNames *Names
	nilNames.Remember("x", "y")
	if got := nilNames.Of("x"); got != nil {
		t.Errorf("nil Names returned %v", got)
	}
}

func TestNamesListed(t *testing.T) {
	tests := []struct {
		name     string
		complete bool
		listed   []string
		want     []string
	}{
		{"complete list replaces", true, []string{"c"}, []string{"c"}},
		{"filtered list adds", false, []string{"c"}, []string{"a", "b", "c"}},
		{"complete empty list forgets", true, nil, []string{}},
		{"filtered empty list keeps", false, nil, []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n Names
			n.Remember("server", "a", "b")
			n.Listed("server", tt.complete, tt.listed...)
			if got := n.Of("server"); !slices.Equal(got, tt.want) {
				t.Errorf("Of = %v, want %v", got, tt.want)
			}
		})
	}
	var nilNames *Names
	nilNames.Listed("x", true, "y")
	nilNames.Listed("x", false, "y")
}

func TestLookupsConcurrentAndCancelled(t *testing.T) {
	l := &Lookups{}
	fetch := func(context.Context) (map[string]string, error) { return map[string]string{"a": "A"}, nil }
	done := make(chan struct{})
	for i := 0; i < 8; i++ {
		go func(i int) {
			defer func() { done <- struct{}{} }()
			for j := 0; j < 50; j++ {
				_, _ = l.Name(context.Background(), "image", []string{"a", "gone", "b"}[(i+j)%3], fetch)
			}
		}(i)
	}
	for i := 0; i < 8; i++ {
		<-done
	}
	// A prefetch cancelled with its command is not remembered as a failure.
	l2 := &Lookups{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l2.Prefetch(ctx, "image", func(ctx context.Context) (map[string]string, error) { return nil, ctx.Err() })
	got, err := l2.Name(context.Background(), "image", "a", fetch)
	if err != nil || got != "A" {
		t.Errorf("after a cancelled prefetch: %q, %v", got, err)
	}
}
