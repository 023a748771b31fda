package servers

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
)

// TestAllows pins the one wording of Nova's state and lock rules that
// every server verb shares.
func TestAllows(t *testing.T) {
	stop := Rule{Verb: "stop", From: []string{"ACTIVE", "ERROR"}}
	hard := Rule{Verb: "hard reboot", From: []string{"ACTIVE", "REBOOT"}, BusyOK: []string{"rebooting"}}
	block := func(s string) tools.Finding { return tools.Finding{Level: tools.Block, Text: s} }
	info := func(s string) tools.Finding { return tools.Finding{Level: tools.Info, Text: s} }
	tests := []struct {
		name         string
		server       Server
		rule         Rule
		want, refuse []tools.Finding
	}{
		{name: "allowed", server: Server{Name: "web-1", Status: "ACTIVE"}, rule: stop,
			want: []tools.Finding{info("server web-1 is ACTIVE")}},
		{name: "wrong status", server: Server{Name: "web-1", Status: "SHUTOFF"}, rule: stop,
			want:   []tools.Finding{block("server web-1 is SHUTOFF; stop needs it to be ACTIVE or ERROR")},
			refuse: []tools.Finding{block("server web-1 is SHUTOFF; stop needs it to be ACTIVE or ERROR")}},
		{name: "busy", server: Server{Name: "web-1", Status: "ACTIVE", TaskState: "powering-off"}, rule: stop,
			want:   []tools.Finding{block("server web-1 is ACTIVE and busy (powering-off); wait until the task finishes")},
			refuse: []tools.Finding{block("server web-1 is ACTIVE and busy (powering-off); wait until the task finishes")}},
		{name: "a task the rule allows", server: Server{Name: "web-1", Status: "REBOOT", TaskState: "rebooting"}, rule: hard,
			want: []tools.Finding{info("server web-1 is REBOOT")}},
		{name: "any status", server: Server{Name: "web-1", Status: "SHELVED"}, rule: Rule{Verb: "detaching a volume"},
			want: []tools.Finding{info("server web-1 is SHELVED")}},
		{name: "locked, with a reason", server: Server{Name: "web-1", Status: "ACTIVE", Locked: true, LockedReason: "audit"}, rule: stop,
			want:   []tools.Finding{info("server web-1 is ACTIVE"), block(`server web-1 is locked ("audit"); unlock it first with /server unlock web-1`)},
			refuse: []tools.Finding{block(`server web-1 is locked ("audit"); unlock it first with /server unlock web-1`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.server.Allows(tt.rule)); diff != "" {
				t.Errorf("Allows (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.refuse, tt.server.Refusals(tt.rule)); diff != "" {
				t.Errorf("Refusals (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServerImageID(t *testing.T) {
	for _, tt := range []struct {
		name, image, want string
	}{
		{"booted from an image", `{"id": "img-1", "links": []}`, "img-1"},
		{"booted from a volume", `""`, ""},
		{"left out", ``, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := Server{Image: []byte(tt.image)}
			if got := s.ImageID(); got != tt.want {
				t.Errorf("ImageID = %q, want %q", got, tt.want)
			}
		})
	}
}
