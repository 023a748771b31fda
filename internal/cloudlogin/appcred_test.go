package cloudlogin

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/internal/cloud/keystonetest"
)

// TestMain keeps every login of this package's tests out of the real
// audit log: the state directory is a temporary one unless a test names
// its own (Options.StateDir).
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cloudlogin-state-")
	if err != nil {
		panic(err)
	}
	_ = os.Setenv("OSTUI_STATE_DIR", dir)
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// failingStore refuses every secret.
type failingStore struct{}

func (failingStore) Set(context.Context, string, string) (string, error) {
	return "", errors.New("the keyring is locked")
}

// The create goes through the gate: its review is printed, the question
// is its approval, and the audit log records it; when the secret cannot
// be stored, the undo is a plan through the same engine, audited too,
// and Keystone holds nothing afterwards. The secret is in no line of the
// log or the output.
func TestLoginAppCredentialThroughTheGate(t *testing.T) {
	tests := []struct {
		name    string
		store   SecretStore
		wantErr string
		steps   []string // the audit log's step records, "tool result"
		creds   int
	}{
		{name: "stored", store: memStore{}, steps: []string{"application-credential.create ok"}, creds: 1},
		{name: "store fails", store: failingStore{}, wantErr: "was deleted again and clouds.yaml was not changed",
			steps: []string{"application-credential.create ok", "application-credential.delete ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, _, getenv := setup(t, keystonetest.User{Name: "bob", Password: "pw-Secret-1"})
			state := t.TempDir()
			var out bytes.Buffer
			p := &script{answers: []string{"pw-Secret-1", "y"}}
			_, err := Login(t.Context(), Options{Cloud: load(t, getenv), Prompt: p, Out: &out, Store: tt.store, SaveSecret: true, Name: "gated", StateDir: state})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Login: %v, want %q\n%s", err, tt.wantErr, out.String())
			}
			// The review came before the question, which is the approval.
			review := strings.Index(out.String(), "Plan: ostui login cloud --cloud mfa")
			if review < 0 || !strings.Contains(out.String(), "POST "+ks.URL+"/v3/users/u-bob/application_credentials") {
				t.Errorf("no review of the create in the output:\n%s", out.String())
			}
			if len(p.prompts) != 2 || !strings.Contains(p.prompts[1], "Create an application credential") {
				t.Errorf("prompts %q", p.prompts)
			}
			log, err := os.ReadFile(filepath.Join(state, "audit.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			var steps []string
			for _, line := range strings.Split(string(log), "\n") {
				if !strings.Contains(line, `"event":"step"`) {
					continue
				}
				for _, tool := range []string{"application-credential.create", "application-credential.delete"} {
					if strings.Contains(line, `"tool":"`+tool+`"`) {
						res := "failed"
						if strings.Contains(line, `"result":"ok"`) {
							res = "ok"
						}
						steps = append(steps, tool+" "+res)
					}
				}
			}
			if strings.Join(steps, "\n") != strings.Join(tt.steps, "\n") {
				t.Errorf("audit steps %q, want %q\n%s", steps, tt.steps, log)
			}
			if !strings.Contains(string(log), `"approval":"keyboard"`) {
				t.Errorf("the approval is not the person's answer:\n%s", log)
			}
			if got := len(ks.AppCreds()); got != tt.creds {
				t.Errorf("Keystone holds %d credentials, want %d", got, tt.creds)
			}
			if strings.Contains(string(log)+out.String(), "appcred-secret-") {
				t.Errorf("a secret is in the audit log or the output:\n%s\n%s", log, out.String())
			}
		})
	}
}

// --reader answers the question by itself: approved as --yes approves a
// slash command, after the review, and recorded so.
func TestLoginReaderApprovedByTheFlag(t *testing.T) {
	_, _, getenv := setup(t, keystonetest.User{Name: "bob", Password: "pw-Secret-1"})
	state := t.TempDir()
	var out bytes.Buffer
	p := &script{answers: []string{"pw-Secret-1"}}
	if _, err := Login(t.Context(), Options{Cloud: load(t, getenv), Prompt: p, Out: &out, Store: memStore{}, SaveSecret: true, Reader: true, StateDir: state}); err != nil {
		t.Fatalf("Login: %v\n%s", err, out.String())
	}
	log, err := os.ReadFile(filepath.Join(state, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), `"approval":"--yes"`) || !strings.Contains(string(log), `"roles":["reader"]`) {
		t.Errorf("audit log:\n%s", log)
	}
	if len(p.prompts) != 1 {
		t.Errorf("prompts %q: --reader asks no question", p.prompts)
	}
}

// A role the user lacks is refused by the preflight, before anything is
// sent to Keystone.
func TestLoginReaderWithoutTheRole(t *testing.T) {
	ks, _, getenv := setup(t, keystonetest.User{Name: "bob", Password: "pw-Secret-1", Roles: []string{"member"}})
	var out bytes.Buffer
	_, err := Login(t.Context(), Options{Cloud: load(t, getenv), Prompt: &script{answers: []string{"pw-Secret-1"}}, Out: &out,
		Store: memStore{}, SaveSecret: true, Reader: true, StateDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "you do not hold role reader in project demo") {
		t.Fatalf("Login: %v", err)
	}
	if n := ks.Count("POST /v3/users/u-bob/application_credentials"); n != 0 || len(ks.AppCreds()) != 0 {
		t.Errorf("%d creates sent", n)
	}
}
