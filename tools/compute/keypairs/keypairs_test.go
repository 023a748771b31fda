package keypairs

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const pub = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOq5 alice@laptop"

func TestList(t *testing.T) {
	fc := toolstest.New(t)
	fc.HandleFunc("GET", toolstest.ComputePrefix+"/os-keypairs", func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("X-OpenStack-Nova-API-Version"); got != Microversion {
			t.Errorf("microversion = %q, want %s", got, Microversion)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keypairs": [
		  {"keypair": {"name": "work", "fingerprint": "b0:1d", "type": "ssh", "public_key": "` + pub + `"}},
		  {"keypair": {"name": "alice", "fingerprint": "7e:aa", "type": "x509", "public_key": "-----BEGIN CERTIFICATE-----"}}
		]}`))
	})
	env := fc.Env()
	res, err := toolstest.Run(t, env, Tools(), "keypair.list", ListArgs{})
	if err != nil {
		t.Fatal(err)
	}
	want := &tools.List{
		Columns: []tools.Column{{Name: "Name"}, {Name: "Fingerprint"}, {Name: "Type"}},
		// API order, as openstack prints it.
		Rows: [][]any{{"work", "b0:1d", "ssh"}, {"alice", "7e:aa", "x509"}},
	}
	if diff := cmp.Diff(want, res.List); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"alice", "work"}, env.Names.Of(Kind)); diff != "" {
		t.Errorf("remembered names (-want +got):\n%s", diff)
	}
}

const workBody = `{"keypair": {"name": "work", "fingerprint": "b0:1d", "type": "ssh", "public_key": "` + pub + `",
  "user_id": "u1", "created_at": "2024-03-01T10:00:00.000000", "deleted": false, "deleted_at": null, "id": 7, "updated_at": null,
  "private_key": "-----BEGIN OPENSSH PRIVATE KEY-----never-shown"}}`

func TestShow(t *testing.T) {
	tests := []struct {
		name       string
		args       ShowArgs
		status     int
		body       string
		wantRecord *tools.Record
		wantText   string
		wantErr    string
	}{
		{
			name: "fields", args: ShowArgs{Keypair: "work"}, status: http.StatusOK, body: workBody,
			wantRecord: &tools.Record{Fields: []tools.Field{
				{Name: "created_at", Value: "2024-03-01T10:00:00.000000"},
				{Name: "fingerprint", Value: "b0:1d"},
				{Name: "id", Value: "work"},
				{Name: "is_deleted", Value: false},
				{Name: "name", Value: "work"},
				{Name: "type", Value: "ssh"},
				{Name: "user_id", Value: "u1"},
			}},
		},
		{name: "public key", args: ShowArgs{Keypair: "work", PublicKey: true}, status: http.StatusOK, body: workBody, wantText: pub + "\n"},
		{
			name: "missing", args: ShowArgs{Keypair: "home"}, status: http.StatusNotFound,
			body:    `{"itemNotFound": {"code": 404, "message": "Keypair home not found for user u1"}}`,
			wantErr: `no keypair named or with ID "home"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.ComputePrefix+"/os-keypairs/"+tt.args.Keypair, tt.status, tt.body)
			res, err := toolstest.Run(t, fc.Env(), Tools(), "keypair.show", tt.args)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantRecord, res.Record); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
			if res.Text != tt.wantText {
				t.Errorf("text = %q, want %q", res.Text, tt.wantText)
			}
			got, _ := json.Marshal(res)
			if strings.Contains(string(got), "PRIVATE") {
				t.Errorf("result holds the private key: %s", got)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.ComputePrefix+"/os-keypairs/work", http.StatusOK, workBody)
	k, err := Resolve(t.Context(), fc.Env(), "work")
	if err != nil {
		t.Fatal(err)
	}
	if k.Name != "work" || k.PrivateKey != "" {
		t.Errorf("Resolve = %+v, want work without a private key", k)
	}
}
