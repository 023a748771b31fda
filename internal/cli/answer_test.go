package cli

import (
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/internal/privacy"
)

// An address split across two streamed deltas is still masked, on a
// terminal (markdown, a paragraph at a time) and in a pipe (a line at a
// time); without a mask the answer is shown as the model wrote it.
func TestAnswerMasksStreamedText(t *testing.T) {
	deltas := []string{"web-1 has floating IP 203.0.", "113.7 and ", "answers.\n\nNothing else", " to report."}
	tests := []struct {
		name    string
		tty     bool
		mask    bool
		want    string
		notWant string
	}{
		{name: "pipe, masked", mask: true, want: "floating IP ip-1", notWant: "203.0.113.7"},
		{name: "terminal, masked", tty: true, mask: true, want: "ip-1", notWant: "203.0.113.7"},
		{name: "pipe, privacy off", want: "floating IP 203.0.113.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			ios.SetStdoutTTY(tt.tty)
			var mask func(string) string
			if tt.mask {
				mask = privacy.New().Text
			}
			a := newAnswer(ios, mask)
			for _, d := range deltas {
				a.write(d)
			}
			a.finish()
			got := out.String()
			if !strings.Contains(got, tt.want) {
				t.Errorf("answer %q lacks %q", got, tt.want)
			}
			if tt.notWant != "" && strings.Contains(got, tt.notWant) {
				t.Errorf("answer %q shows %q", got, tt.notWant)
			}
			if !strings.Contains(got, "to report.") {
				t.Errorf("answer %q lost its last line", got)
			}
		})
	}
}
