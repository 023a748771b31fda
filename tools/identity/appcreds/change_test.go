package appcreds

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/internal/cloud/keystonetest"
	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// fakeKeystone starts the fake Keystone with user demo (roles member and
// reader in project demo) and returns it with an Env logged in as demo.
func fakeKeystone(t *testing.T) (*keystonetest.Server, *tools.Env) {
	t.Helper()
	ks := keystonetest.New(t, keystonetest.User{Name: "demo", Password: "pw", Roles: []string{"member", "reader"}})
	cfg := &config.Cloud{Name: "test", AuthType: config.AuthPassword, AuthURL: ks.AuthURL(), Username: "demo", Password: "pw",
		UserDomainName: "Default", ProjectName: "demo", ProjectDomainName: "Default", Region: "RegionOne", Interface: "public"}
	return ks, tools.NewEnv(cloud.New(cfg, cloud.Options{}))
}

func fixClock(t *testing.T) {
	t.Helper()
	old := now
	now = func() time.Time { return time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { now = old })
}

func findings(chk *tools.Check, level tools.Level) []string {
	var out []string
	for _, f := range chk.Findings {
		if f.Level == level {
			out = append(out, f.Text)
		}
	}
	return out
}

func TestCheckCreate(t *testing.T) {
	fixClock(t)
	tests := []struct {
		name  string
		args  map[string]any
		block string // a blocking finding contains it ("" for none)
		warn  string
		info  string
		want  CreateArgs // the resolved arguments, when not blocked
	}{
		{name: "all roles", args: map[string]any{"name": "ci"},
			info: "every role you hold in project demo: member, reader", want: CreateArgs{Name: "ci"}},
		{name: "reader with an expiry and a rule", args: map[string]any{"name": "ci", "roles": []string{"Reader"}, "expires_at": "2027-01-01T00:00:00",
			"access_rules": []string{`[{"service":"compute","method":"get","path":"/v2.1/servers"}]`, "image:GET:/v2/images"}},
			want: CreateArgs{Name: "ci", Roles: []string{"reader"}, ExpiresAt: "2027-01-01T00:00:00Z", AccessRules: []string{"compute:GET:/v2.1/servers", "image:GET:/v2/images"}}},
		{name: "a duration", args: map[string]any{"name": "ci", "expires_at": "90d"},
			want: CreateArgs{Name: "ci", ExpiresAt: "2027-03-03T10:00:00Z"}},
		{name: "a date is its end", args: map[string]any{"name": "ci", "expires_at": "2027-03-31"},
			want: CreateArgs{Name: "ci", ExpiresAt: "2027-03-31T23:59:59Z"}},
		{name: "never", args: map[string]any{"name": "ci", "expires_at": "never"}, info: "never expires", want: CreateArgs{Name: "ci"}},
		{name: "a role not held", args: map[string]any{"name": "ci", "roles": []string{"admin"}},
			block: "you do not hold role admin in project demo, and Keystone refuses a credential with a role its user lacks; you hold: member, reader"},
		{name: "an expiry in the past", args: map[string]any{"name": "ci", "expires_at": "2020-01-01T00:00:00"},
			block: "the expiry 2020-01-01T00:00:00Z is in the past; give a later one, for example 2027-03-03T10:00:00 or 90d"},
		{name: "an expiry that is no time", args: map[string]any{"name": "ci", "expires_at": "soon"}, block: `expiry "soon": want`},
		{name: "a bad rule", args: map[string]any{"name": "ci", "access_rules": []string{"compute:FETCH:/x"}}, block: `"FETCH" is not an HTTP method`},
		{name: "a rule that is no JSON list", args: map[string]any{"name": "ci", "access_rules": []string{`[{"service":"compute"`}}, block: "not a JSON list"},
		{name: "unrestricted", args: map[string]any{"name": "ci", "unrestricted": true},
			warn: "can create further application credentials and trusts as you", want: CreateArgs{Name: "ci", Unrestricted: true}},
		{name: "a name taken", args: map[string]any{"name": "taken"}, block: "you already have an application credential named taken"},
	}
	ks, env := fakeKeystone(t)
	_ = ks
	create := toolstest.Tool(t, Tools(), "application-credential.create")
	if _, err := create.Run(t.Context(), env, tools.JSON(map[string]any{"name": "taken"})); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chk, err := create.Check(t.Context(), env, tools.JSON(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			blocks := strings.Join(findings(chk, tools.Block), "\n")
			if tt.block != "" {
				if !strings.Contains(blocks, tt.block) {
					t.Errorf("blocks %q, want one containing %q", blocks, tt.block)
				}
				return
			}
			if blocks != "" {
				t.Fatalf("blocked: %s", blocks)
			}
			if w := strings.Join(findings(chk, tools.Warn), "\n"); !strings.Contains(w, tt.warn) || (tt.warn == "" && w != "") {
				t.Errorf("warnings %q, want %q", w, tt.warn)
			}
			if i := strings.Join(findings(chk, tools.Info), "\n"); !strings.Contains(i, tt.info) || !strings.Contains(i, "returns its secret once") {
				t.Errorf("notes %q, want %q and the secret's note", i, tt.info)
			}
			got, err := tools.Decode[CreateArgs](chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("resolved (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPreviewCreate(t *testing.T) {
	fixClock(t)
	ks, env := fakeKeystone(t)
	create := toolstest.Tool(t, Tools(), "application-credential.create")
	args := tools.JSON(map[string]any{"name": "ci", "roles": []string{"reader"}, "expires_at": "2027-01-01T00:00:00",
		"access_rules": []string{"compute:GET:/v2.1/servers"}, "description": "D"})
	chk, err := create.Check(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	before := len(ks.Requests)
	pv, err := create.Preview(t.Context(), env, args, chk)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ks.Requests) - before; n != 0 {
		t.Errorf("the preview after a check sent %d requests (%v), want none", n, ks.Requests[before:])
	}
	if len(pv.Requests) != 1 {
		t.Fatalf("requests %+v, want one", pv.Requests)
	}
	r := pv.Requests[0]
	if r.Method != "POST" || r.URL != ks.URL+"/v3/users/u-demo/application_credentials" {
		t.Errorf("request %s %s", r.Method, r.URL)
	}
	body, _ := json.Marshal(r.Body)
	want := `{"application_credential":{"access_rules":[{"method":"GET","path":"/v2.1/servers","service":"compute"}],"description":"D","expires_at":"2027-01-01T00:00:00","name":"ci","roles":[{"name":"reader"}],"unrestricted":false}}`
	if diff := cmp.Diff(want, string(body)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if len(pv.Creates) != 1 || !strings.Contains(pv.Creates[0], "application credential ci for demo in project demo, roles reader, expires 2027-01-01T00:00:00Z") {
		t.Errorf("creates %q", pv.Creates)
	}
}

func TestRunCreateAndUndo(t *testing.T) {
	fixClock(t)
	ks, env := fakeKeystone(t)
	tl := Tools()
	create := toolstest.Tool(t, tl, "application-credential.create")
	args := tools.JSON(map[string]any{"name": "ci", "roles": []string{"reader"}})
	res, err := create.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	acs := ks.AppCreds()
	if len(acs) != 1 || acs[0].Name != "ci" || !cmp.Equal(acs[0].Roles, []string{"reader"}) {
		t.Fatalf("Keystone holds %+v", acs)
	}
	if diff := cmp.Diff(map[string]string{"appcred/ci": acs[0].Secret}, res.Secrets); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"id": acs[0].ID, "name": "ci"}, res.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	// Everything but Secrets is shown somewhere: none of it holds the secret.
	shown, _ := json.Marshal(struct {
		R *tools.Record
		M string
		O map[string]string
		T string
		W *tools.Result
	}{res.Record, res.Message, res.Outputs, res.Text, res})
	if strings.Contains(string(shown), acs[0].Secret) {
		t.Errorf("the secret is in the result outside Secrets: %s", shown)
	}
	if !strings.Contains(res.Message, "application credential ci created ("+acs[0].ID+"), no expiry") {
		t.Errorf("message %q", res.Message)
	}

	call := create.Undo(args, res)
	if call == nil || call.Tool != "application-credential.delete" {
		t.Fatalf("undo %+v", call)
	}
	if diff := cmp.Diff(`{"application_credential":"`+acs[0].ID+`"}`, string(call.Args)); diff != "" {
		t.Errorf("undo args (-want +got):\n%s", diff)
	}
	del := toolstest.Tool(t, tl, "application-credential.delete")
	chk, err := del.Check(t.Context(), env, call.Args)
	if err != nil {
		t.Fatal(err)
	}
	if w := findings(chk, tools.Warn); len(w) != 1 || !strings.Contains(w[0], "stops working at once") {
		t.Errorf("warnings %q", w)
	}
	pv, err := del.Preview(t.Context(), env, call.Args, chk)
	if err != nil {
		t.Fatal(err)
	}
	if r := pv.Requests; len(r) != 1 || r[0].Method != "DELETE" || r[0].URL != ks.URL+"/v3/users/u-demo/application_credentials/"+acs[0].ID {
		t.Errorf("requests %+v", r)
	}
	dres, err := del.Run(t.Context(), env, chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	if len(ks.AppCreds()) != 0 {
		t.Errorf("Keystone still holds %+v", ks.AppCreds())
	}
	if dres.Message != "application credential ci ("+acs[0].ID+") deleted" {
		t.Errorf("message %q", dres.Message)
	}
	// The undo of a create that got no ID names what was asked for.
	if call := create.Undo(args, nil); call == nil || string(call.Args) != `{"application_credential":"ci"}` {
		t.Errorf("undo without a result %+v", call)
	}
}

func TestRunCreateRefused(t *testing.T) {
	_, env := fakeKeystone(t)
	create := toolstest.Tool(t, Tools(), "application-credential.create")
	// Run without a preflight, as if the cloud changed: Keystone's refusal
	// comes back as an error naming the credential.
	_, err := create.Run(t.Context(), env, tools.JSON(map[string]any{"name": "ci", "roles": []string{"admin"}}))
	if err == nil || !strings.Contains(err.Error(), "create application credential ci") {
		t.Fatalf("err = %v", err)
	}
}

func TestDeleteAndShowNotFound(t *testing.T) {
	_, env := fakeKeystone(t)
	for _, name := range []string{"application-credential.delete", "application-credential.show"} {
		tl := toolstest.Tool(t, Tools(), name)
		var err error
		if tl.Check != nil {
			_, err = tl.Check(t.Context(), env, tools.JSON(DeleteArgs{AppCredential: "nope"}))
		} else {
			_, err = tl.Run(t.Context(), env, tools.JSON(ShowArgs{AppCredential: "nope"}))
		}
		var nf *tools.NotFoundError
		if !errors.As(err, &nf) || nf.Kind != Kind {
			t.Errorf("%s: err = %v, want not found", name, err)
		}
	}
}

func TestShow(t *testing.T) {
	fixClock(t)
	_, env := fakeKeystone(t)
	tl := Tools()
	res, err := toolstest.Tool(t, tl, "application-credential.create").Run(t.Context(), env,
		tools.JSON(map[string]any{"name": "ci", "roles": []string{"reader"}, "expires_at": "2027-01-01T00:00:00Z", "access_rules": []string{"compute:GET:/v2.1/servers"}, "description": "D"}))
	if err != nil {
		t.Fatal(err)
	}
	id := res.Outputs["id"]
	for _, ref := range []string{"ci", id} {
		got, err := toolstest.Tool(t, tl, "application-credential.show").Run(t.Context(), env, tools.JSON(ShowArgs{AppCredential: ref}))
		if err != nil {
			t.Fatal(err)
		}
		want := &tools.Record{Fields: []tools.Field{
			{Name: "ID", Value: id}, {Name: "Name", Value: "ci"}, {Name: "Description", Value: "D"}, {Name: "Project ID", Value: "p1"},
			{Name: "Roles", Value: []string{"reader"}}, {Name: "Access Rules", Value: []string{"compute:GET:/v2.1/servers"}},
			{Name: "Expires At", Value: "2027-01-01T00:00:00Z", Kind: tools.Time}, {Name: "Unrestricted", Value: false},
		}}
		if diff := cmp.Diff(want, got.Record); diff != "" {
			t.Errorf("show %s (-want +got):\n%s", ref, diff)
		}
	}
}

func TestParseExpiry(t *testing.T) {
	from := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in, want string
	}{
		{"", ""}, {"never", ""},
		{"2027-01-01T00:00:00", "2027-01-01T00:00:00Z"},
		{"2027-01-01T02:00:00+02:00", "2027-01-01T00:00:00Z"},
		{"2027-01-01", "2027-01-01T23:59:59Z"},
		{"1d", "2026-12-04T10:00:00Z"},
		{"36h", "2026-12-04T22:00:00Z"},
		{"0d", "error"}, {"tomorrow", "error"}, {"-5h", "error"},
	}
	for _, tt := range tests {
		got, err := ParseExpiry(tt.in, from)
		s := ""
		switch {
		case err != nil:
			s = "error"
		case !got.IsZero():
			s = got.Format(time.RFC3339)
		}
		if s != tt.want {
			t.Errorf("ParseExpiry(%q) = %q (%v), want %q", tt.in, s, err, tt.want)
		}
	}
}
