package tea

// ostui patch: upstream's TestViewModel and TestClearMsg compared the exact
// bytes of programs that quit before the renderer's first tick, so they
// pinned the fixed ticker's timing (queries written last). With the
// demand-driven renderer the first frame is drawn at once and the order
// depends on scheduling; renderer_idle_test.go tests the behaviour instead.

import "testing"

func TestIsPlausibleWindowSize(t *testing.T) {
	tests := []struct {
		w, h int
		want bool
	}{
		{80, 24, true},
		{0, 0, true},
		{500, 200, true},
		{-1, 24, false},
		{80, -1, false},
		{5000, 1, false},
		{23000, 23000, false},
		{29000, 29000, false},
		{2000, 2000, false},
	}
	for _, tt := range tests {
		if got := isPlausibleWindowSize(tt.w, tt.h); got != tt.want {
			t.Errorf("isPlausibleWindowSize(%d, %d) = %v, want %v", tt.w, tt.h, got, tt.want)
		}
	}
}
