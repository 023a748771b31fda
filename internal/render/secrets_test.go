package render

import (
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/tools"
)

// TestSecretsNeverRendered: tools.Result.Secrets is for the Go caller
// only; no format, with any column picked, prints it.
func TestSecretsNeverRendered(t *testing.T) {
	const secret = "s3cr3t-only-for-the-go-caller-91ab"
	results := map[string]*tools.Result{
		"record": {Record: serverRecord(), Message: "created", Secrets: map[string]string{"appcred/x": secret}},
		"list":   {List: volumeList(), Secrets: map[string]string{"appcred/x": secret}},
		"text":   {Text: "done", Secrets: map[string]string{"appcred/x": secret}},
	}
	for name, res := range results {
		for _, f := range Formats() {
			ios, _, out, errOut := iostreams.Test()
			if err := Render(ios, res, Options{Format: f, Long: true}); err != nil {
				t.Fatalf("%s as %s: %v", name, f, err)
			}
			if strings.Contains(out.String()+errOut.String(), secret) {
				t.Errorf("%s as %s shows the secret:\n%s", name, f, out)
			}
		}
		ios, _, _, _ := iostreams.Test()
		if err := Render(ios, res, Options{Columns: []string{"Secrets"}}); err == nil && res.Text == "" {
			t.Errorf("%s: -c Secrets is accepted as a column", name)
		}
	}
}
