package stacktemplates

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const heat = "/orchestration/v1/p-1"

func TestValidateThroughHeat(t *testing.T) {
	dir := t.TempDir()
	tpl := filepath.Join(dir, "web.yaml")
	if err := os.WriteFile(tpl, []byte("heat_template_version: 2018-08-31\nparameters:\n  size: {type: number}\nresources:\n  a: {type: OS::Heat::None}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		params map[string]string
		status int
		want   string
	}{
		{name: "valid", status: 200, want: "Heat validated web.yaml: 1 resources, 1 parameters"},
		{name: "Heat refuses", status: 400, want: "Heat's template validate refuses it: InvalidTemplateReference: The specified reference \"b\" (in a) is incorrect."},
		{name: "parameter of the wrong type never reaches Heat", params: map[string]string{"size": "x"}, want: `parameter size is a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Caps.Services["orchestration"] = cloud.Service{Type: "orchestration", Endpoint: fc.Server.URL + heat + "/"}
			switch tt.status {
			case 200:
				fc.HandleFunc("POST", heat+"/validate", func(w http.ResponseWriter, r *http.Request) {
					var body map[string]any
					_ = json.NewDecoder(r.Body).Decode(&body)
					if !strings.Contains(body["template"].(string), "OS::Heat::None") {
						t.Errorf("body = %v", body)
					}
					_, _ = io.WriteString(w, `{"Description": "No description", "Parameters": {"size": {"Type": "Number"}}}`)
				})
			case 400:
				fc.Handle("POST", heat+"/validate", 400, `{"error": {"type": "InvalidTemplateReference", "message": "The specified reference \"b\" (in a) is incorrect."}}`)
			}
			res, err := toolstest.Tool(t, Tools(), "stack.template.validate").Run(cloud.WithReadOnly(context.Background()), fc.Env(), tools.JSON(ValidateArgs{TemplateFile: tpl, Parameters: tt.params}))
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = res.Message
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
