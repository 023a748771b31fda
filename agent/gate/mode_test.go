package gate

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMode(t *testing.T) {
	tests := []struct {
		in      string
		want    Mode
		wantErr error  // errors.Is
		errText string // exact text, when wantErr is nil
	}{
		{in: "ask", want: ModeAsk},
		{in: "plan", want: ModePlan},
		{in: "paranoid", want: ModeParanoid},
		{in: "auto-read", wantErr: ErrAutoReadRemoved},
		{in: "yolo", errText: `unknown mode "yolo"; modes are: ask, plan, paranoid`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMode(tt.in)
			switch {
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("ParseMode(%q) error = %v, want %v", tt.in, err, tt.wantErr)
				}
			case tt.errText != "":
				if err == nil || err.Error() != tt.errText {
					t.Errorf("ParseMode(%q) error = %v, want %q", tt.in, err, tt.errText)
				}
			case err != nil:
				t.Errorf("ParseMode(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseMode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestAutoReadErrorSaysWhatToUse(t *testing.T) {
	want := "auto-read was removed: plan mode already runs reads without asking; paranoid asks before a read's data goes to the model"
	if diff := cmp.Diff(want, ErrAutoReadRemoved.Error()); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
}

func TestModes(t *testing.T) {
	if diff := cmp.Diff([]Mode{ModeAsk, ModePlan, ModeParanoid}, Modes()); diff != "" {
		t.Errorf("Modes (-want +got):\n%s", diff)
	}
}
