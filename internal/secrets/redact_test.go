package secrets

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A PEM private key used as a canary: not a real key, only its shape.
const canaryPEM = "-----BEGIN RSA PRIVATE KEY-----\nCANARY-PEM-BODY\n-----END RSA PRIVATE KEY-----\n"

func TestRedact(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // compared as JSON values, so key order does not matter
	}{
		{"no secrets", `{"name":"web-1","size":1,"tags":["a","b"],"ok":true,"none":null}`,
			`{"name":"web-1","size":1,"tags":["a","b"],"ok":true,"none":null}`},
		{"password", `{"password":"CANARY-1"}`, `{"password":"<redacted>"}`},
		{"case and separators", `{"Admin-Pass":"C1","adminPass":"C2","X_AUTH_TOKEN":"C3","x-subject-token":"C4","PrivateKey":"C5","user-data":"C6"}`,
			`{"Admin-Pass":"<redacted>","adminPass":"<redacted>","X_AUTH_TOKEN":"<redacted>","x-subject-token":"<redacted>","PrivateKey":"<redacted>","user-data":"<redacted>"}`},
		{"every listed key", `{"passwd":"c","secret":"c","token":"c","auth_token":"c","private_key":"c","admin_pass":"c","userdata":"c","user_data":"c","application_credential_secret":"c","temp_url_key":"c","X-Account-Meta-Temp-URL-Key":"c","X-Container-Meta-Temp-URL-Key-2":"c"}`,
			`{"passwd":"<redacted>","secret":"<redacted>","token":"<redacted>","auth_token":"<redacted>","private_key":"<redacted>","admin_pass":"<redacted>","userdata":"<redacted>","user_data":"<redacted>","application_credential_secret":"<redacted>","temp_url_key":"<redacted>","X-Account-Meta-Temp-URL-Key":"<redacted>","X-Container-Meta-Temp-URL-Key-2":"<redacted>"}`},
		{"suffix variants", `{"original_password":"CANARY","client_secret":"CANARY"}`,
			`{"original_password":"<redacted>","client_secret":"<redacted>"}`},
		{"secret object hidden whole", `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"u","password":"CANARY"}}}}}`,
			`{"auth":{"identity":{"methods":["password"],"password":"<redacted>"}}}`},
		{"objects inside arrays", `{"servers":[{"name":"a","adminPass":"CANARY"},[{"token":"CANARY"}]]}`,
			`{"servers":[{"name":"a","adminPass":"<redacted>"},[{"token":"<redacted>"}]]}`},
		{"top-level array", `[{"secret":"CANARY"},1,"x"]`, `[{"secret":"<redacted>"},1,"x"]`},
		{"key with PEM", `{"key":"-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----"}`, `{"key":"<redacted>"}`},
		{"key without PEM kept", `{"key":"environment","value":"prod"}`, `{"key":"environment","value":"prod"}`},
		{"PEM private key under any key", `{"note":` + quote(canaryPEM) + `,"list":["x",` + quote("pre "+canaryPEM) + `]}`,
			`{"note":"<redacted>","list":["x","<redacted>"]}`},
		{"JSON inside a string", `{"blob":"{\"access\":\"ak\",\"secret\":\"CANARY\"}"}`,
			`{"blob":"{\"access\":\"ak\",\"secret\":\"<redacted>\"}"}`},
		{"JSON string without secrets kept verbatim", `{"blob":"{ \"b\": 1,  \"a\": 2 }"}`, `{"blob":"{ \"b\": 1,  \"a\": 2 }"}`},
		{"numbers keep their text", `{"big":12345678901234567890123,"f":1.50}`, `{"big":12345678901234567890123,"f":1.50}`},
		{"scalar document", `"plain"`, `"plain"`},
		{"invalid", `{"password":"CANARY"`, `"<unparseable, redacted>"`},
		{"trailing data", `{} {"password":"CANARY"}`, `"<unparseable, redacted>"`},
		{"whitespace only", `   `, `"<unparseable, redacted>"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := json.RawMessage(tt.in)
			got := Redact(in)
			if !json.Valid(got) {
				t.Fatalf("Redact output is not JSON: %s", got)
			}
			if strings.Contains(string(got), "CANARY") {
				t.Errorf("canary survived: %s", got)
			}
			if string(in) != tt.in {
				t.Errorf("Redact modified its input: %s", in)
			}
			if diff := cmp.Diff(jsonValue(t, tt.want), jsonValue(t, string(got))); diff != "" {
				t.Errorf("Redact(%s) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestRedactEmpty(t *testing.T) {
	if got := Redact(nil); got != nil {
		t.Errorf("Redact(nil) = %q, want nil", got)
	}
}

func TestRedactKeepsPlaceholderReadable(t *testing.T) {
	got := string(Redact(json.RawMessage(`{"password":"x","html":"<b>&"}`)))
	if !strings.Contains(got, `"<redacted>"`) || !strings.Contains(got, `"<b>&"`) {
		t.Errorf("Redact escaped HTML characters: %s", got)
	}
}

func TestIsSecretKey(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"password", true}, {"PASSWORD", true}, {"passwd", true}, {"secret", true},
		{"token", true}, {"auth_token", true}, {"auth-token", true}, {"X-Auth-Token", true},
		{"X-Subject-Token", true}, {"private_key", true}, {"privateKey", true},
		{"adminPass", true}, {"admin_pass", true}, {"user_data", true}, {"userdata", true},
		{"application_credential_secret", true}, {"temp_url_key", true},
		{"X-Account-Meta-Temp-URL-Key", true}, {"x-container-meta-temp-url-key", true},
		{"original_password", true},
		{"key", false}, {"name", false}, {"id", false}, {"public_key", false},
		{"password_expires_at", false}, {"secret_ref", false}, {"", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsSecretKey(tt.name); got != tt.want {
				t.Errorf("IsSecretKey(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestRedactString(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		secrets []string
		want    string
	}{
		{"given secrets", "user admin pass CANARY-pw and again CANARY-pw", []string{"CANARY-pw"},
			"user admin pass <redacted> and again <redacted>"},
		{"short and empty ignored", "a abc abcd", []string{"", "a", "abc", "abcd"}, "a abc <redacted>"},
		{"longest first", "token CANARY-LONG-SECRET", []string{"CANARY", "CANARY-LONG-SECRET"}, "token <redacted>"},
		{"header line", "GET /v2.1/servers\nX-Auth-Token: gAAAAACANARY\nAccept: */*", nil,
			"GET /v2.1/servers\nX-Auth-Token: <redacted>\nAccept: */*"},
		{"header in curl command", `curl -H 'x-subject-token: CANARY' https://k`, nil,
			`curl -H 'x-subject-token: <redacted>' https://k`},
		{"header as JSON", `{"X-Auth-Token": "CANARY", "Accept": "json"}`, nil,
			`{"X-Auth-Token": "<redacted>", "Accept": "json"}`},
		{"authorization with spaces", "Authorization: Bearer CANARY xyz\r\nHost: h", nil,
			"Authorization: <redacted>\r\nHost: h"},
		{"temp url key header", "X-Account-Meta-Temp-URL-Key-2: CANARY", nil, "X-Account-Meta-Temp-URL-Key-2: <redacted>"},
		{"temp url key on a command line keeps the rest of the goal", "set --property Temp-URL-Key=CANARY on my account, then list", nil, "set --property Temp-URL-Key=<redacted> on my account, then list"},
		{"temp url key typed", "/object store account set --property Temp-URL-Key=CANARY", nil,
			"/object store account set --property Temp-URL-Key=<redacted>"},
		{"temp url key property", "--property temp_url_key_2=CANARY", nil, "--property temp_url_key_2=<redacted>"},
		{"PEM block", "before\n" + canaryPEM + "after", nil, "before\n<redacted>\nafter"},
		{"truncated PEM block", "x -----BEGIN OPENSSH PRIVATE KEY-----\nCANARY", nil, "x <redacted>"},
		{"public PEM kept", "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----", nil,
			"-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----"},
		{"GitHub tokens by their shape", "refresh ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498 gave ghu_16C7e42F292c6912E7710c838347Ae178B4a then github_pat_11ABCDEFG0123456789_abcdefghijklmnop", nil,
			"refresh <redacted> gave <redacted> then <redacted>"},
		{"words like ghost_ kept", "ghost_town gho_short", nil, "ghost_town gho_short"},
		{"nothing to do", "server web-1 is ACTIVE", []string{"hunter22"}, "server web-1 is ACTIVE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RedactString(tt.in, tt.secrets...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("RedactString mismatch (-want +got):\n%s", diff)
			}
			if strings.Contains(got, "CANARY") {
				t.Errorf("canary survived: %q", got)
			}
		})
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func jsonValue(t *testing.T, s string) any {
	t.Helper()
	v, err := decode([]byte(s))
	if err != nil {
		t.Fatalf("bad JSON %q: %v", s, err)
	}
	return v
}
