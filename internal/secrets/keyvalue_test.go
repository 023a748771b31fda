package secrets

import (
	"strings"
	"testing"
)

func TestRedactStringKeyValues(t *testing.T) {
	tests := []struct{ in, canary string }{
		{"password: hunter2-canary", "hunter2-canary"},
		{`{"adminPass": "zz-canary-9"}`, "zz-canary-9"},
		{"db_password=s3cr3t-canary in env", "s3cr3t-canary"},
		{"OS_TOKEN=gAAAA-canary", "gAAAA-canary"},
		{"chpasswd:\n  list: |\n    root:rootpw-canary\n", "rootpw-canary"},
	}
	for _, tt := range tests {
		if got := RedactString(tt.in); strings.Contains(got, tt.canary) {
			t.Errorf("RedactString(%q) = %q, still has the secret", tt.in, got)
		}
	}
	if got := RedactString("status: ACTIVE, name: web-1"); got != "status: ACTIVE, name: web-1" {
		t.Errorf("ordinary text changed: %q", got)
	}
}
