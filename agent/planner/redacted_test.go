package planner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/secrets"
	"github.com/kriscelmer/os-tui/tools"
)

func TestRedacted(t *testing.T) {
	const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"
	tests := []struct {
		name string
		in   *tools.Result
		want *tools.Result
	}{
		{
			name: "nil",
		},
		{
			name: "list drops secret columns and redacts values",
			in: &tools.Result{
				List: &tools.List{
					Columns: []tools.Column{{Name: "ID"}, {Name: "Name"}, {Name: "Admin Pass"}, {Name: "Metadata", Long: true}},
					Rows: [][]any{
						{"id-1", "web-1", "hunter2", map[string]string{"role": "web", "db_password": "s3cret"}},
						{"id-2", nil}, // a short row keeps its shape
					},
				},
			},
			want: &tools.Result{
				List: &tools.List{
					Columns: []tools.Column{{Name: "ID"}, {Name: "Name"}, {Name: "Metadata", Long: true}},
					Rows: [][]any{
						{"id-1", "web-1", map[string]string{"role": "web", "db_password": secrets.Placeholder}},
						{"id-2", nil, nil},
					},
				},
			},
		},
		{
			name: "record drops namespaced and spaced secret fields",
			in: &tools.Result{
				Message: "X-Auth-Token: gAAAAtoken",
				Record: &tools.Record{Fields: []tools.Field{
					{Name: "name", Value: "web-1"},
					{Name: "OS-EXT-SRV-ATTR:user_data", Value: "I2Nsb3VkLWNvbmZpZw=="},
					{Name: "Private Key", Value: pem},
					{Name: "fault", Value: `{"message":"boom","password":"p"}`},
					{Name: "nested", Value: map[string]any{"auth": map[string]any{"token": "t"}, "n": 1}},
					{Name: "ram", Value: 512},
				}},
			},
			want: &tools.Result{
				Message: "X-Auth-Token: " + secrets.Placeholder,
				Record: &tools.Record{Fields: []tools.Field{
					{Name: "name", Value: "web-1"},
					{Name: "fault", Value: `{"message":"boom","password":"<redacted>"}`},
					{Name: "nested", Value: map[string]any{"auth": map[string]any{"token": secrets.Placeholder}, "n": float64(1)}},
					{Name: "ram", Value: 512},
				}},
			},
		},
		{
			name: "text loses private keys",
			in:   &tools.Result{Text: "console\n" + pem + "\nlogin:"},
			want: &tools.Result{Text: "console\n" + secrets.Placeholder + "\nlogin:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Redacted(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Redacted (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTruncateExported(t *testing.T) {
	long := strings.Repeat("line\n", 5000)
	got := Truncate(long, 1000)
	if n := len(got); n > 1000 {
		t.Errorf("Truncate left %d characters, want at most 1000", n)
	}
	if !strings.Contains(got, "lines omitted") {
		t.Errorf("Truncate did not say what it left out:\n%s", got)
	}
}
