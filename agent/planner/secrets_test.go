package planner

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
)

// TestResultSecretsNeverReachTheModel: what the model (Fence) and an MCP
// client (Redacted) get of a result never carries tools.Result.Secrets.
func TestResultSecretsNeverReachTheModel(t *testing.T) {
	const secret = "s3cr3t-only-for-the-go-caller-91ab"
	s := map[string]string{"appcred/x": secret}
	for name, res := range map[string]*tools.Result{
		"record": {Record: &tools.Record{Fields: []tools.Field{{Name: "ID", Value: "a1"}}}, Message: "created", Secrets: s},
		"list":   {List: &tools.List{Columns: []tools.Column{{Name: "ID"}}, Rows: [][]any{{"a1"}}}, Secrets: s},
		"text":   {Text: "done", Outputs: map[string]string{"id": "a1"}, Secrets: s},
	} {
		if f := Fence("application-credential.create", res, 0); strings.Contains(f, secret) {
			t.Errorf("%s: Fence shows the secret: %s", name, f)
		}
		r := Redacted(res)
		if r.Secrets != nil {
			t.Errorf("%s: Redacted keeps Secrets", name)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), secret) {
			t.Errorf("%s: Redacted as JSON holds the secret: %s", name, b)
		}
	}
}
