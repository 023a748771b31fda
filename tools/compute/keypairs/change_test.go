package keypairs

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// edKey returns a well-formed OpenSSH ed25519 public key line.
func edKey() string {
	typ := "ssh-ed25519"
	blob := binary.BigEndian.AppendUint32(nil, uint32(len(typ)))
	blob = append(blob, typ...)
	blob = binary.BigEndian.AppendUint32(blob, 32)
	blob = append(blob, make([]byte, 32)...)
	return typ + " " + base64.StdEncoding.EncodeToString(blob) + " alice@laptop"
}

func blocks(chk *tools.Check) string {
	var out []string
	for _, f := range chk.Findings {
		if f.Level == tools.Block {
			out = append(out, f.Text)
		}
	}
	return strings.Join(out, "\n")
}

func stubQuota(fc *toolstest.Cloud, used, limit int) {
	fc.Handle("GET", toolstest.ComputePrefix+"/limits", http.StatusOK, fmt.Sprintf(`{"limits": {"absolute": {"maxTotalKeypairs": %d}, "rate": []}}`, limit))
	var kps []string
	for i := range used {
		kps = append(kps, fmt.Sprintf(`{"keypair": {"name": "k%d", "fingerprint": "f"}}`, i))
	}
	fc.Handle("GET", toolstest.ComputePrefix+"/os-keypairs", http.StatusOK, `{"keypairs": [`+strings.Join(kps, ",")+`]}`)
}

func TestCreateCheck(t *testing.T) {
	tests := []struct {
		name     string
		exists   bool
		file     bool
		minMV    string
		used     int
		block    string
		wantFile string
	}{
		{name: "fresh", wantFile: ".ssh/helper.pem"},
		{name: "name taken", exists: true, block: "key pair helper already exists (fingerprint b0:1d)"},
		{name: "file exists", file: true, block: "helper.pem already exists; ostui never overwrites a private key file"},
		{name: "cloud too new", minMV: "2.92", block: "starts at microversion 2.92 and no longer generates key pairs; make one with ssh-keygen and use /keypair import"},
		{name: "quota full", used: 3, block: "the key pair quota is full (3 of 3)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("HOME", home)
			if tt.file {
				if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(home, ".ssh", "helper.pem"), []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			fc := toolstest.New(t)
			if tt.minMV != "" {
				svc := fc.Caps.Services["compute"]
				svc.MinMicroversion = tt.minMV
				fc.Caps.Services["compute"] = svc
			}
			if tt.exists {
				fc.Handle("GET", toolstest.ComputePrefix+"/os-keypairs/helper", http.StatusOK, `{"keypair": {"name": "helper", "fingerprint": "b0:1d"}}`)
			} else {
				fc.Handle("GET", toolstest.ComputePrefix+"/os-keypairs/helper", http.StatusNotFound, `{"itemNotFound": {"code": 404}}`)
			}
			stubQuota(fc, tt.used, 3)
			chk, err := toolstest.Tool(t, Tools(), "keypair.create").Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(`{"name": "helper"}`))
			if err != nil {
				t.Fatal(err)
			}
			got := blocks(chk)
			if (tt.block == "") != (got == "") || !strings.Contains(got, tt.block) {
				t.Errorf("blocks %q, want %q", got, tt.block)
			}
			if tt.wantFile != "" {
				want := fmt.Sprintf(`{"name":"helper","private_key_file":%q,"type":"ssh"}`, filepath.Join(home, tt.wantFile))
				if string(chk.Resolved) != want {
					t.Errorf("resolved = %s, want %s", chk.Resolved, want)
				}
			}
			if diff := cmp.Diff([]tools.QuotaUse{{Service: "compute", Resource: "key_pairs", InUse: tt.used, Limit: 3, Delta: 1}}, chk.Quota); diff != "" {
				t.Errorf("quota (-want +got):\n%s", diff)
			}
		})
	}
}

// canary stands for a private key: it must end up in the file and nowhere else.
const canary = "-----BEGIN OPENSSH PRIVATE KEY-----\nCANARY-b3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"

func TestCreateRunKeepsKeyInFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	fc := toolstest.New(t)
	fc.HandleFunc("POST", toolstest.ComputePrefix+"/os-keypairs", func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("X-OpenStack-Nova-API-Version"); got != GenerateMicroversion {
			t.Errorf("microversion = %q, want %s", got, GenerateMicroversion)
		}
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"keypair":{"name":"helper","type":"ssh"}}` {
			t.Errorf("body = %s", b)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Openstack-Request-Id", "req-create")
		_, _ = fmt.Fprintf(w, `{"keypair": {"name": "helper", "fingerprint": "aa:bb", "type": "ssh", "public_key": "ssh-rsa AAAA", "private_key": %q, "user_id": "u"}}`, canary)
	})
	env := fc.Env()
	kc := toolstest.Tool(t, Tools(), "keypair.create")
	path := filepath.Join(home, "keys", "helper.pem")
	args := tools.JSON(CreateArgs{Name: "helper", PrivateKeyFile: path, Type: "ssh"})

	pv, err := kc.Preview(cloud.WithReadOnly(t.Context()), env, args, &tools.Check{Resolved: args})
	if err != nil {
		t.Fatal(err)
	}
	wantReq := []tools.Request{{Method: "POST", URL: fc.Server.URL + toolstest.ComputePrefix + "/os-keypairs",
		Body: map[string]any{"keypair": map[string]any{"name": "helper", "type": "ssh"}}}}
	if diff := cmp.Diff(wantReq, pv.Requests); diff != "" {
		t.Errorf("preview (-want +got):\n%s", diff)
	}

	res, err := kc.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != canary+"\n" {
		t.Errorf("file = %q", b)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode = %v, want %v", p, fi.Mode().Perm(), want)
		}
	}
	all, _ := json.Marshal(res)
	if strings.Contains(string(all), "CANARY") || strings.Contains(fmt.Sprintf("%+v", *res), "CANARY") {
		t.Errorf("the private key leaked into the result: %s", all)
	}
	if res.Message != "key pair helper created (fingerprint aa:bb); private key saved to "+path+" (0600)" {
		t.Errorf("message = %q", res.Message)
	}
	if diff := cmp.Diff(map[string]string{"name": "helper", "fingerprint": "aa:bb"}, res.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"req-create"}, res.RequestIDs); diff != "" {
		t.Errorf("request IDs (-want +got):\n%s", diff)
	}
	undo := kc.Undo(args, res)
	if undo == nil || undo.Tool != "keypair.delete" || string(undo.Args) != `{"keypair":"helper"}` {
		t.Errorf("undo = %+v", undo)
	}

	// A second run finds the file taken and asks Nova for nothing.
	_, err = kc.Run(t.Context(), env, args)
	if err == nil || strings.Contains(err.Error(), "CANARY") {
		t.Errorf("second run: err = %v", err)
	}
	if n := fc.Calls("POST", toolstest.ComputePrefix+"/os-keypairs"); n != 1 {
		t.Errorf("POST called %d times, want 1", n)
	}
}

func TestCreateRunNovaFailsLeavesNoFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	fc := toolstest.New(t)
	fc.Handle("POST", toolstest.ComputePrefix+"/os-keypairs", http.StatusConflict, `{"conflictingRequest": {"code": 409, "message": "Key pair 'helper' already exists."}}`)
	_, err := toolstest.Tool(t, Tools(), "keypair.create").Run(t.Context(), fc.Env(), json.RawMessage(`{"name": "helper", "private_key_file": "~/.ssh/helper.pem", "type": "ssh"}`))
	if err == nil {
		t.Fatal("no error")
	}
	if _, err := os.Stat(filepath.Join(home, ".ssh", "helper.pem")); !os.IsNotExist(err) {
		t.Errorf("the claimed file was left behind: %v", err)
	}
}

func TestImportCheck(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		args    ImportArgs
		block   string
		resolve string
	}{
		{name: "default ed25519", files: map[string]string{"id_ed25519.pub": edKey(), "id_rsa.pub": "x"}, args: ImportArgs{Name: "helper"}, resolve: "id_ed25519.pub"},
		{name: "default rsa", files: map[string]string{"id_rsa.pub": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== me"}, args: ImportArgs{Name: "helper"}, resolve: "id_rsa.pub"},
		{name: "bad base64", files: map[string]string{"k.pub": "ssh-rsa !!!! me"}, args: ImportArgs{Name: "helper", PublicKeyFile: "~/.ssh/k.pub"},
			block: "its key is not base64"},
		{name: "type mismatch", files: map[string]string{"k.pub": "ssh-rsa " + strings.Fields(edKey())[1]}, args: ImportArgs{Name: "helper", PublicKeyFile: "~/.ssh/k.pub"},
			block: "says ssh-rsa but its key data is of another type"},
		{name: "none", args: ImportArgs{Name: "helper"}, block: "no --public-key-file given and neither"},
		{name: "private key", files: map[string]string{"id": canary}, args: ImportArgs{Name: "helper", PublicKeyFile: "~/.ssh/id"}, block: "holds a private key; give its public half"},
		{name: "garbage", files: map[string]string{"x.pub": "hello world"}, args: ImportArgs{Name: "helper", PublicKeyFile: "~/.ssh/x.pub"}, block: "does not look like an OpenSSH public key"},
		{name: "missing", args: ImportArgs{Name: "helper", PublicKeyFile: "~/.ssh/nope.pub"}, block: "cannot read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("HOME", home)
			_ = os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
			for n, c := range tt.files {
				if err := os.WriteFile(filepath.Join(home, ".ssh", n), []byte(c+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.ComputePrefix+"/os-keypairs/helper", http.StatusNotFound, `{"itemNotFound": {"code": 404}}`)
			stubQuota(fc, 0, 100)
			chk, err := toolstest.Tool(t, Tools(), "keypair.import").Check(cloud.WithReadOnly(t.Context()), fc.Env(), tools.JSON(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			got := blocks(chk)
			if (tt.block == "") != (got == "") || !strings.Contains(got, tt.block) {
				t.Errorf("blocks %q, want %q", got, tt.block)
			}
			if strings.Contains(fmt.Sprint(chk.Findings), "CANARY") {
				t.Errorf("a finding quotes the private key: %v", chk.Findings)
			}
			if tt.resolve != "" {
				want := fmt.Sprintf(`{"name":"helper","public_key_file":%q,"type":"ssh"}`, filepath.Join(home, ".ssh", tt.resolve))
				if string(chk.Resolved) != want {
					t.Errorf("resolved = %s, want %s", chk.Resolved, want)
				}
			}
		})
	}
}

func TestImportPreviewRun(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	path := filepath.Join(home, "me.pub")
	if err := os.WriteFile(path, []byte(edKey()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fc := toolstest.New(t)
	want := map[string]any{"keypair": map[string]any{"name": "helper", "type": "ssh", "public_key": edKey()}}
	fc.HandleFunc("POST", toolstest.ComputePrefix+"/os-keypairs", func(w http.ResponseWriter, r *http.Request) {
		var got any
		_ = json.NewDecoder(r.Body).Decode(&got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"keypair": {"name": "helper", "fingerprint": "cc:dd", "type": "ssh", "public_key": %q}}`, edKey())
	})
	env := fc.Env()
	ki := toolstest.Tool(t, Tools(), "keypair.import")
	args := tools.JSON(ImportArgs{Name: "helper", PublicKeyFile: path, Type: "ssh"})
	pv, err := ki.Preview(cloud.WithReadOnly(t.Context()), env, args, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, pv.Requests[0].Body); diff != "" {
		t.Errorf("preview body (-want +got):\n%s", diff)
	}
	res, err := ki.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"name": "helper", "fingerprint": "cc:dd"}, res.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if undo := ki.Undo(args, res); undo.Tool != "keypair.delete" || string(undo.Args) != `{"keypair":"helper"}` {
		t.Errorf("undo = %+v", undo)
	}
}

func TestDelete(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.ComputePrefix+"/os-keypairs/work", http.StatusOK, workBody)
	fc.Handle("DELETE", toolstest.ComputePrefix+"/os-keypairs/work", http.StatusAccepted, "")
	env := fc.Env()
	kd := toolstest.Tool(t, Tools(), "keypair.delete")
	if kd.Effect != tools.Destroy || kd.Undo != nil {
		t.Errorf("effect %v, undo %v", kd.Effect, kd.Undo != nil)
	}
	args := json.RawMessage(`{"keypair": "work"}`)
	chk, err := kd.Check(cloud.WithReadOnly(t.Context()), env, args)
	if err != nil {
		t.Fatal(err)
	}
	if len(chk.Findings) != 1 || chk.Findings[0].Level != tools.Warn || !strings.Contains(chk.Findings[0].Text, "keep working; the key pair cannot be recovered") {
		t.Errorf("findings = %+v", chk.Findings)
	}
	if strings.Contains(fmt.Sprintf("%+v", chk), "never-shown") {
		t.Errorf("check carries the private key field")
	}
	pv, err := kd.Preview(cloud.WithReadOnly(t.Context()), env, args, chk)
	if err != nil {
		t.Fatal(err)
	}
	want := &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: fc.Server.URL + toolstest.ComputePrefix + "/os-keypairs/work"}},
		Deletes:  []tools.Dependent{{Kind: Kind, ID: "work", Name: "work", Fate: "deleted; servers launched with it keep its public key"}},
	}
	if diff := cmp.Diff(want, pv); diff != "" {
		t.Errorf("preview (-want +got):\n%s", diff)
	}
	res, err := kd.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"req-compute-v2.1-os-keypairs-work"}, res.RequestIDs); diff != "" {
		t.Errorf("request IDs (-want +got):\n%s", diff)
	}
}
