package cli

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/render"
)

func TestParseSecurityArgs(t *testing.T) {
	str := func(s string) *string { return &s }
	tests := []struct {
		name    string
		words   string
		params  bool
		project bool
		want    securityArgs
		wantErr string
	}{
		{name: "nothing", want: securityArgs{params: map[string]string{}}},
		{name: "positional and params", words: "web ssh-from-cidr --param cidr=10.0.0.0/8 --param=from=app", params: true,
			want: securityArgs{positional: []string{"web", "ssh-from-cidr"}, params: map[string]string{"cidr": "10.0.0.0/8", "from": "app"}}},
		{name: "output options", words: "-f json --long -c Group --column=Rule --sort Severity:desc",
			want: securityArgs{params: map[string]string{}, output: render.Options{Format: "json", Long: true, Columns: []string{"Group", "Rule"}, Sort: []string{"Severity:desc"}}}},
		{name: "-fjson", words: "-fjson", want: securityArgs{params: map[string]string{}, output: render.Options{Format: "json"}}},
		{name: "project alone is the current one", words: "--project -f json", project: true,
			want: securityArgs{params: map[string]string{}, project: str(""), output: render.Options{Format: "json"}}},
		{name: "project by ID", words: "--project p1", project: true, want: securityArgs{params: map[string]string{}, project: str("p1")}},
		{name: "project inline", words: "--project=p1", project: true, want: securityArgs{params: map[string]string{}, project: str("p1")}},
		{name: "params not taken", words: "--param a=b", wantErr: "unknown flag --param"},
		{name: "project not taken", words: "--project p1", wantErr: "unknown flag --project"},
		{name: "param without =", words: "--param cidr", params: true, wantErr: `--param takes NAME=VALUE (got "cidr")`},
		{name: "param without value", words: "--param", params: true, wantErr: "--param needs a value"},
		{name: "bad format", words: "-f xml", wantErr: "xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSecurityArgs(strings.Fields(tt.words), tt.params, tt.project)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got, cmp.AllowUnexported(securityArgs{})); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
		})
	}
}
