package mcpserver

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
)

// TestReadResultLeavesSecretsOut: what an MCP client gets of a result
// never carries tools.Result.Secrets.
func TestReadResultLeavesSecretsOut(t *testing.T) {
	const secret = "s3cr3t-only-for-the-go-caller-91ab"
	s := map[string]string{"appcred/x": secret}
	for name, res := range map[string]*tools.Result{
		"record": {Record: &tools.Record{Fields: []tools.Field{{Name: "ID", Value: "a1"}}}, Message: "created", Secrets: s},
		"list":   {List: &tools.List{Columns: []tools.Column{{Name: "ID"}}, Rows: [][]any{{"a1"}}}, Secrets: s},
		"text":   {Text: "done", Secrets: s},
	} {
		b, err := json.Marshal(readResult(res, 4000))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), secret) {
			t.Errorf("%s: the client gets the secret: %s", name, b)
		}
	}
}
