package account

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/internal/secrets"
	"github.com/kriscelmer/os-tui/tools"
	swift "github.com/kriscelmer/os-tui/tools/objectstorage"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const prefix = "/object/v1/AUTH_p"

const canary = "CANARY-typed-key-0123456789"

func fakeSwift(t *testing.T, h map[string]string) *toolstest.Cloud {
	fc := toolstest.New(t)
	fc.Caps.Services[swift.Service] = cloud.Service{Type: swift.Service, Name: "swift", Endpoint: fc.Server.URL + prefix + "/", Version: "v1", Region: "RegionOne"}
	fc.Optional("GET", "/object/info", http.StatusOK, `{"swift": {}, "tempurl": {}}`)
	fc.HandleFunc("HEAD", prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Account-Container-Count", "2")
		for k, v := range h {
			w.Header().Set(k, v)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return fc
}

func blocks(chk *tools.Check) string { return level(chk, tools.Block) }

func level(chk *tools.Check, l tools.Level) string {
	var out []string
	for _, f := range chk.Findings {
		if f.Level == l {
			out = append(out, f.Text)
		}
	}
	return strings.Join(out, "\n")
}

func TestShowNeverShowsTheKey(t *testing.T) {
	fc := fakeSwift(t, map[string]string{"X-Account-Meta-Temp-Url-Key": canary, "X-Account-Meta-Owner": "ops"})
	res, err := toolstest.Run(t, fc.Env(), Tools(), "account.show", ShowArgs{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res)
	if strings.Contains(string(b), "CANARY") {
		t.Fatalf("the key leaked: %s", b)
	}
	if res.Record.Get("temp_url_key") != "set" || res.Record.Get("Containers") != int64(2) || res.Record.Get("Account") != "AUTH_p" {
		t.Errorf("record %s", b)
	}
}

// everything is what a step leaves anywhere: check, preview, result,
// and the undo it offers.
func everything(t *testing.T, parts ...any) string {
	var b strings.Builder
	for _, p := range parts {
		j, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		fmt.Fprintf(&b, "%+v", p)
	}
	return b.String()
}

func TestSetTypedKey(t *testing.T) {
	fc := fakeSwift(t, map[string]string{"X-Account-Meta-Temp-Url-Key": "old-key-old-key-old"})
	args := json.RawMessage(`{"property": {"Temp-URL-Key": "` + canary + `", "owner": "ops"}}`)
	tl := toolstest.Tool(t, Tools(), "account.set")
	ro := cloud.WithReadOnly(t.Context())
	chk, err := tl.Check(ro, fc.Env(), args)
	if err != nil || chk.Blocked() {
		t.Fatal(err, chk)
	}
	if w := level(chk, tools.Warn); !strings.Contains(w, "every temp URL signed with the account's current key stops working") {
		t.Errorf("warnings %q", w)
	}
	pv, err := tl.Preview(ro, fc.Env(), args, chk)
	if err != nil {
		t.Fatal(err)
	}
	var sent http.Header
	fc.HandleFunc("POST", prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		sent = r.Header.Clone()
		w.WriteHeader(http.StatusNoContent)
	})
	res, err := tl.Run(t.Context(), fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Get("X-Account-Meta-Temp-URL-Key") != canary || sent.Get("X-Account-Meta-owner") != "ops" {
		t.Errorf("sent %v", sent)
	}
	undo := Tools()[1].Undo(args, res)
	if s := everything(t, chk, pv, res, undo); strings.Contains(s, "CANARY") || strings.Contains(s, "old-key") {
		t.Errorf("a key reached a check, preview, result or undo:\n%s", s)
	}
	if undo == nil || string(undo.Args) != `{"property":{"owner":""}}` || !strings.Contains(undo.Why, "cannot be restored") {
		t.Errorf("undo %+v", undo)
	}
	// The arguments themselves hold the key; the audit log and the
	// transcripts pass them through secrets.Redact.
	if strings.Contains(string(secrets.Redact(args)), "CANARY") {
		t.Error("secrets.Redact does not hide the typed key")
	}
}

func TestGenerateKey(t *testing.T) {
	fc := fakeSwift(t, nil)
	args := json.RawMessage(`{"generate_temp_url_key": true}`)
	tl := toolstest.Tool(t, Tools(), "account.set")
	ro := cloud.WithReadOnly(t.Context())
	chk, err := tl.Check(ro, fc.Env(), args)
	if err != nil || chk.Blocked() {
		t.Fatal(err, chk)
	}
	pv, err := tl.Preview(ro, fc.Env(), args, chk)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(pv.Requests[0].Body); got != "map[headers:map[X-Account-Meta-Temp-URL-Key:<redacted>]]" {
		t.Errorf("preview body %s", got)
	}
	var key string
	fc.HandleFunc("POST", prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		key = r.Header.Get("X-Account-Meta-Temp-URL-Key")
		w.WriteHeader(http.StatusNoContent)
	})
	res, err := tl.Run(t.Context(), fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(key) {
		t.Errorf("generated key %q", key)
	}
	undo := Tools()[1].Undo(args, res)
	if s := everything(t, chk, pv, res, undo); strings.Contains(s, key) {
		t.Errorf("the generated key reached a check, preview, result or undo:\n%s", s)
	}
	if undo == nil || string(undo.Args) != `{"property":{"Temp-URL-Key":""}}` {
		t.Errorf("undo %+v", undo)
	}
}

func TestSetRefusals(t *testing.T) {
	tests := []struct {
		name, tool, args string
		have             map[string]string
		block, warn      string
	}{
		{name: "both ways", tool: "account.set", args: `{"generate_temp_url_key": true, "property": {"Temp-URL-Key": "` + canary + `"}}`,
			block: "give a Temp-URL-Key property or --generate-temp-url-key, not both"},
		{name: "short key", tool: "account.set", args: `{"property": {"Temp-URL-Key": "abc"}}`,
			warn: "a 3-character key is easy to guess"},
		{name: "nothing changes", tool: "account.set", args: `{"property": {"owner": "ops"}}`, have: map[string]string{"X-Account-Meta-Owner": "ops"},
			block: "the account already has these properties; nothing to change"},
		{name: "unset what is not there", tool: "account.unset", args: `{"property": ["owner"]}`,
			block: `the account has no property "owner" to remove`},
		{name: "unset the key", tool: "account.unset", args: `{"property": ["temp-url-key"]}`, have: map[string]string{"X-Account-Meta-Temp-Url-Key": canary},
			warn: "every temp URL signed with the account's current key stops working"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := fakeSwift(t, tt.have)
			chk, err := toolstest.Tool(t, Tools(), tt.tool).Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			if got := blocks(chk); (tt.block == "") != (got == "") || !strings.Contains(got, tt.block) {
				t.Errorf("blocks %q, want %q", got, tt.block)
			}
			if got := level(chk, tools.Warn); !strings.Contains(got, tt.warn) {
				t.Errorf("warnings %q, want %q", got, tt.warn)
			}
			if strings.Contains(everything(t, chk), "CANARY") {
				t.Errorf("the key reached the check: %+v", chk)
			}
		})
	}
}
