package session

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kriscelmer/os-tui/agent/executor"
	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/internal/audit/audittest"
	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const stepSecret = "s3cr3t-only-for-the-go-caller-91ab"

// TestResultSecretsReachOnlyTheCaller: a step's Result.Secrets (an
// application credential's secret) reaches the front end in the
// StepFinished event and nowhere else: not the audit log, the outcome a
// model or an MCP client reads, its summary, or a saved transcript.
func TestResultSecretsReachOnlyTheCaller(t *testing.T) {
	planSchema, err := schemas.FS.ReadFile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	fs := fstest.MapFS{
		"plan.schema.json": {Data: planSchema},
		"cred.create.schema.json": {Data: []byte(`{"$id": "https://ostui.dev/schemas/cred.create.schema.json", "description": "cred.create",
			"type": "object", "additionalProperties": false, "properties": {"name": {"type": "string", "description": "name"}}}`)},
	}
	tl := tools.Tool{Name: "cred.create", Service: "compute", Effect: tools.Change, Produces: []string{"id"},
		Check: func(context.Context, *tools.Env, tools.Args) (*tools.Check, error) { return &tools.Check{}, nil },
		Preview: func(context.Context, *tools.Env, tools.Args, *tools.Check) (*tools.Preview, error) {
			return &tools.Preview{}, nil
		},
		Run: func(context.Context, *tools.Env, tools.Args) (*tools.Result, error) {
			return &tools.Result{Message: "cred c1 created", Outputs: map[string]string{"id": "c1"}, Secrets: map[string]string{"appcred/c": stepSecret}}, nil
		},
	}
	reg, err := tools.NewRegistry(fs, schemas.BaseURL, []tools.Tool{tl})
	if err != nil {
		t.Fatal(err)
	}
	env := toolstest.New(t).Env()
	mem := &audittest.Memory{}
	rec := &recorder{}
	e := &Engine{Registry: reg, Env: func() (*tools.Env, error) { return env, nil }, Audit: mem, Events: rec.add,
		Scope: func() executor.Scope { return executor.Scope{Cloud: "test"} }}
	out, err := e.Submit(t.Context(), &plan.Plan{ID: plan.NewID(), Goal: "make a cred", Origin: plan.OriginSlash,
		Steps: []plan.Step{{ID: "c", Tool: "cred.create", Args: json.RawMessage(`{"name": "c"}`)}}}, WithYes(nil))
	if err != nil {
		t.Fatal(err)
	}

	got := ""
	for _, ev := range rec.events {
		if f, ok := ev.(StepFinished); ok && f.Outcome.Result != nil {
			got = f.Outcome.Result.Secrets["appcred/c"]
		}
	}
	if got != stepSecret {
		t.Errorf("the front end got secret %q from StepFinished, want the step's", got)
	}

	leaks := map[string]any{
		"audit log":          mem.Records(),
		"outcome for models": out.ForModel(),
		"summary":            out.Summary,
		"result as JSON":     out.Exec.Steps[0].Result,
	}
	for where, v := range leaks {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), stepSecret) {
			t.Errorf("the secret is in the %s: %s", where, b)
		}
	}

	// A transcript saves the messages a model turn holds: the outcome as
	// the model reads it.
	fm, _ := json.Marshal(out.ForModel())
	dir := t.TempDir()
	path, err := Save(dir, &Transcript{ID: "t1", Title: "make a cred", Messages: []llm.Message{{Role: "tool", Content: string(fm)}}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), stepSecret) {
		t.Errorf("the secret is in the saved transcript: %s", b)
	}
}
