package objects

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	swift "github.com/kriscelmer/os-tui/tools/objectstorage"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const prefix = "/object/v1/AUTH_p"

const infoDoc = `{"swift": {"version": "2.30.1", "max_file_size": 5000, "max_object_name_length": 1024},
	"slo": {"max_manifest_segments": 4, "min_segment_size": 10}, "bulk_delete": {"max_deletes_per_request": 100},
	"tempurl": {"methods": ["GET", "HEAD", "PUT"], "allowed_digests": ["sha1", "sha256", "sha512"], "deprecated_digests": ["sha1"]}%s}`

func fakeSwift(t *testing.T) *toolstest.Cloud {
	fc := toolstest.New(t)
	fc.Caps.Services[swift.Service] = cloud.Service{Type: swift.Service, Name: "swift", Endpoint: fc.Server.URL + prefix + "/", Version: "v1", Region: "RegionOne"}
	return fc
}

func withInfo(fc *toolstest.Cloud, extra string) {
	fc.Optional("GET", "/object/info", http.StatusOK, fmt.Sprintf(infoDoc, extra))
}

// headers answers HEAD path with headers, or 404 when nil.
func headers(fc *toolstest.Cloud, path string, h map[string]string) {
	fc.HandleFunc("HEAD", prefix+path, func(w http.ResponseWriter, r *http.Request) {
		if h == nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		for k, v := range h {
			w.Header().Set(k, v)
		}
		w.WriteHeader(http.StatusOK)
	})
}

// listing answers GET of a container with entries (JSON) on the first
// page and nothing after; want checks the query.
func listing(fc *toolstest.Cloud, container, entries string, want func(q url.Values)) {
	fc.HandleFunc("GET", prefix+"/"+container, func(w http.ResponseWriter, r *http.Request) {
		if want != nil {
			want(r.URL.Query())
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if r.URL.Query().Get("marker") != "" {
			fmt.Fprint(w, `[]`)
			return
		}
		fmt.Fprint(w, entries)
	})
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

func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	tests := []struct {
		tool, args string
		ok         bool
	}{
		{"object.create", `{"container": "c", "file": "a.txt", "segment_size": "64M"}`, true},
		{"object.create", `{"container": "c", "file": "a.txt", "segment_size": "lots"}`, false},
		{"object.save", `{"container": "c"}`, true},
		{"object.save", `{"container": "c", "object": "a", "file": "x", "overwrite": true}`, true},
		{"object.delete", `{"container": "c", "objects": []}`, false},
		{"object.copy", `{"container": "c", "object": "a", "destination": "/d/b"}`, true},
		{"object.set", `{"container": "c", "object": "a"}`, false},
		{"object.set", `{"container": "c", "object": "a", "delete_after": "2h"}`, true},
		{"object.set", `{"container": "c", "object": "a", "delete_after": "soon"}`, false},
		{"object.unset", `{"container": "c", "object": "a", "expiry": true}`, true},
		{"object.temp-url", `{"container": "c", "object": "a", "method": "PATCH"}`, false},
		{"object.temp-url", `{"container": "c", "object": "a", "method": "PUT", "expires": "7d", "digest": "sha512"}`, true},
		{"object.list", `{"container": "c", "delimiter": "//"}`, false},
	}
	for _, tt := range tests {
		if err := reg.Validate(tt.tool, json.RawMessage(tt.args)); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, tt.args, err, tt.ok)
		}
	}
}

func TestListPseudoFolders(t *testing.T) {
	fc := fakeSwift(t)
	listing(fc, "photos", `[{"subdir": "2024/"}, {"name": "cover.jpg", "bytes": 12, "hash": "h", "content_type": "image/jpeg", "last_modified": "2024-05-06T07:08:09.123456"}]`,
		func(q url.Values) {
			if q.Get("delimiter") != "/" || q.Get("prefix") != "p" {
				t.Errorf("query %v", q)
			}
		})
	res, err := toolstest.Run(t, fc.Env(), Tools(), "object.list", ListArgs{Container: "photos", Prefix: "p", Delimiter: "/"})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"2024/", nil, nil, nil, PseudoFolder}, {"cover.jpg", int64(12), "2024-05-06T07:08:09Z", "h", "image/jpeg"}}
	if diff := cmp.Diff(want, res.List.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	fc.Handle("GET", prefix+"/nope", http.StatusNotFound, "")
	if _, err := toolstest.Run(t, fc.Env(), Tools(), "object.list", ListArgs{Container: "nope"}); err == nil || err.Error() != `no container named or with ID "nope"` {
		t.Errorf("missing container: %v", err)
	}
}

func TestShow(t *testing.T) {
	fc := fakeSwift(t)
	headers(fc, "/photos/big.iso", map[string]string{"Content-Length": "3000", "Etag": `"abc"`, "Content-Type": "application/x-iso9660-image",
		"X-Static-Large-Object": "True", "X-Delete-At": "1900000000", "X-Object-Meta-Owner": "ops", "Last-Modified": "Thu, 03 Dec 2026 05:56:35 GMT"})
	res, err := toolstest.Run(t, fc.Env(), Tools(), "object.show", ObjectArgs{Container: "photos", Object: "big.iso"})
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]any{
		"content-length": "3000", "etag": "abc", "delete-at": "2030-03-17T17:46:40Z",
		"large-object": "static (segmented; segments deleted with it)", "properties": map[string]string{"Owner": "ops"},
	} {
		if diff := cmp.Diff(want, res.Record.Get(field)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", field, diff)
		}
	}
	// A name that is only a prefix is a pseudo-folder, and said so.
	headers(fc, "/photos/2024", nil)
	listing(fc, "photos", `[{"name": "2024/a.jpg", "bytes": 1}]`, nil)
	_, err = toolstest.Run(t, fc.Env(), Tools(), "object.show", ObjectArgs{Container: "photos", Object: "2024"})
	if err == nil || !strings.Contains(err.Error(), "2024 in container photos is a pseudo-folder, not an object") {
		t.Errorf("err = %v", err)
	}
}

func TestTempURL(t *testing.T) {
	const key = "CANARY-0123456789abcdef"
	tests := []struct {
		name    string
		args    TempURLArgs
		extra   string
		noKey   bool
		wantErr string
		digest  string
	}{
		{name: "GET with the account key", args: TempURLArgs{Container: "c", Object: "a b.txt", Expires: "30m"}, digest: "sha256"},
		{name: "no key", args: TempURLArgs{Container: "c", Object: "a b.txt"}, noKey: true,
			wantErr: "neither the account nor container c has a Temp-URL-Key, so no temp URL can be signed; set one with /object store account set --generate-temp-url-key"},
		{name: "method not allowed", args: TempURLArgs{Container: "c", Object: "a b.txt", Method: "DELETE"}, wantErr: "this cluster's temp URLs allow GET, HEAD, PUT, not DELETE"},
		{name: "no expiry", args: TempURLArgs{Container: "c", Object: "a b.txt", Expires: "0"}, wantErr: "--expires 0 is no time at all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := fakeSwift(t)
			withInfo(fc, tt.extra)
			fc.Optional("HEAD", prefix+"/c/a b.txt", http.StatusOK, "")
			fc.Optional("HEAD", prefix+"/c", http.StatusNoContent, "")
			account := func(w http.ResponseWriter, r *http.Request) {
				if !tt.noKey {
					w.Header().Set("X-Account-Meta-Temp-Url-Key", key)
				}
				w.WriteHeader(http.StatusNoContent)
			}
			if tt.wantErr == "" || tt.noKey {
				fc.HandleFunc("HEAD", prefix+"/", account)
			}
			res, err := toolstest.Run(t, fc.Env(), Tools(), "object.temp-url", tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			all, _ := json.Marshal(res)
			if strings.Contains(string(all), "CANARY") {
				t.Fatalf("the key leaked into the result: %s", all)
			}
			u, err := url.Parse(res.Record.Get("url").(string))
			if err != nil {
				t.Fatal(err)
			}
			exp := u.Query().Get("temp_url_expires")
			mac := hmac.New(sha256.New, []byte(key))
			fmt.Fprintf(mac, "GET\n%s\n/v1/AUTH_p/c/a b.txt", exp)
			if got := u.Query().Get("temp_url_sig"); got != hex.EncodeToString(mac.Sum(nil)) {
				t.Errorf("signature %s does not verify as Swift's tempurl middleware checks it", got)
			}
			if res.Record.Get("digest") != tt.digest {
				t.Errorf("digest %v", res.Record.Get("digest"))
			}
		})
	}
}

func TestPickDigest(t *testing.T) {
	pub := func(doc string) *swift.Info {
		var m map[string]map[string]json.RawMessage
		_ = json.Unmarshal([]byte(doc), &m)
		return &swift.Info{Published: true, Middleware: m}
	}
	tests := []struct {
		info       *swift.Info
		want, got  string
		errContain string
	}{
		{info: pub(`{"tempurl": {"allowed_digests": ["sha1", "sha512"], "deprecated_digests": ["sha1"]}}`), got: "sha512"},
		{info: pub(`{"tempurl": {}}`), got: "sha1"},
		{info: &swift.Info{}, got: "sha256"},
		{info: pub(`{"tempurl": {"allowed_digests": ["sha1"]}}`), want: "sha256", errContain: "accept sha1 digests, not sha256"},
	}
	for _, tt := range tests {
		got, err := pickDigest(tt.want, tt.info)
		if tt.errContain != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errContain) {
				t.Errorf("err = %v", err)
			}
			continue
		}
		if err != nil || got != tt.got {
			t.Errorf("pickDigest = %s, %v; want %s", got, err, tt.got)
		}
	}
}
