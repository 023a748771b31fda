package session

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/agent/planner"
)

func TestSaveLoadRedacted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	s := &planner.Session{
		Usage: llm.Usage{PromptTokens: 10, CompletionTokens: 2},
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Content: "system"},
			{Role: llm.RoleUser, Content: "my password is hunter2-canary, stop web-1"},
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "c", Name: "propose_plan", Arguments: `{"password": "p4ss-canary", "goal": "x"}`}}},
		},
	}
	base := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for i, title := range []string{"older", ""} {
		tr := FromSession(NewID(base.Add(time.Duration(i)*time.Minute)), s, Transcript{Title: title, Cloud: "devcloud"})
		path, err := Save(dir, tr, "hunter2-canary")
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v, want 600", fi.Mode().Perm())
		}
		raw, _ := os.ReadFile(path)
		for _, canary := range []string{"hunter2-canary", "p4ss-canary"} {
			if strings.Contains(string(raw), canary) {
				t.Errorf("%s saved in the transcript", canary)
			}
		}
	}
	list, err := List(dir)
	if err != nil || len(list) != 2 || list[0].ID != "20261122-100100" {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if want := "my password is <redacted>, stop web-1"; list[0].Title != want {
		t.Errorf("title = %q, want %q", list[0].Title, want)
	}
	latest, err := Load(dir, "latest")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s.Usage, latest.Session().Usage); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
	if len(latest.Session().Messages) != 3 {
		t.Errorf("messages = %d", len(latest.Session().Messages))
	}
	byID, err := Load(dir, "20261122-100000")
	if err != nil || byID.Title != "older" {
		t.Errorf("by ID: %+v, %v", byID, err)
	}
	if _, err := Load(dir, "nope"); err == nil || !strings.Contains(err.Error(), `no saved session "nope"`) {
		t.Errorf("missing: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none"), "latest"); err == nil {
		t.Error("latest of nothing loaded")
	}
}
