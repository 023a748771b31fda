package objects

import (
	"context"
	"crypto/md5" //nolint:gosec // as Swift does
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func md5hex(b []byte) string {
	s := md5.Sum(b) //nolint:gosec // as Swift does
	return hex.EncodeToString(s[:])
}

func write(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// account answers the account HEAD (for the quota preflight).
func account(fc *toolstest.Cloud, h map[string]string) {
	if h == nil {
		h = map[string]string{}
	}
	fc.HandleFunc("HEAD", prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		for k, v := range h {
			w.Header().Set(k, v)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func TestDefaultName(t *testing.T) {
	for typed, want := range map[string]string{
		"a.txt": "a.txt", "./docs/a.txt": "docs/a.txt", "/tmp/x/a.txt": "a.txt", "../up/a.txt": "a.txt",
		"~/photos": "photos", ".": "", "photos/": "photos",
	} {
		if got := defaultName(typed); got != want {
			t.Errorf("defaultName(%q) = %q, want %q", typed, got, want)
		}
	}
}

func TestCreateCheck(t *testing.T) {
	dir := t.TempDir()
	small := write(t, filepath.Join(dir, "small.txt"), "hello")
	big := write(t, filepath.Join(dir, "big.bin"), strings.Repeat("x", 25))
	huge := write(t, filepath.Join(dir, "huge.bin"), strings.Repeat("x", 60))
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      CreateArgs
		container map[string]string // nil: missing
		segments  bool
		replaces  map[string]string
		acct      map[string]string
		block     string
		warn      string
		info      string
		resolved  string
		// early: the check stops before the quota (no account read).
		early bool
	}{
		{name: "a small file", args: CreateArgs{Container: "c", File: small}, container: map[string]string{},
			info: "uploads " + small + " (5 bytes) as c/small.txt", resolved: fmt.Sprintf(`{"container":"c","file":%q,"name":"small.txt","segment_size":"1073741824"}`, small)},
		{name: "missing file", args: CreateArgs{Container: "c", File: filepath.Join(dir, "nope.txt")}, container: map[string]string{},
			block: "nope.txt does not exist (read as " + filepath.Join(dir, "nope.txt") + "); give a file or a folder that does", early: true},
		{name: "missing container", args: CreateArgs{Container: "c", File: small}, block: "container c does not exist; create it first with /container create c", early: true},
		{name: "slash in container", args: CreateArgs{Container: "c/d", File: small}, block: "contains '/'", early: true},
		{name: "empty folder", args: CreateArgs{Container: "c", File: empty}, container: map[string]string{}, block: "holds no files to upload", early: true},
		{name: "dot-dot name", args: CreateArgs{Container: "c", File: small, Name: "../x"}, container: map[string]string{}, block: "has a '..' segment", early: true},
		{name: "segmented, resumable", args: CreateArgs{Container: "c", File: big, SegmentSize: "10"}, container: map[string]string{}, segments: true,
			info: "big.bin goes up as a static large object: 3 segments of 10 bytes in container c_segments (created), then a manifest"},
		{name: "too many segments", args: CreateArgs{Container: "c", File: huge, SegmentSize: "10"}, container: map[string]string{},
			block: "would need 6 segments of 10 bytes, more than the 4 a large object may have here; give --segment-size 15 bytes or more"},
		{name: "segment below the minimum", args: CreateArgs{Container: "c", File: big, SegmentSize: "5"}, container: map[string]string{},
			block: "--segment-size 5 bytes is below this cluster's smallest segment, 10 bytes"},
		{name: "replaces", args: CreateArgs{Container: "c", File: small}, container: map[string]string{}, replaces: map[string]string{"Content-Length": "3"},
			warn: "replaces object c/small.txt (3 bytes), which cannot be brought back"},
		{name: "container quota", args: CreateArgs{Container: "c", File: small},
			container: map[string]string{"X-Container-Meta-Quota-Bytes": "8", "X-Container-Bytes-Used": "4"},
			block:     "container c's quota is 8 bytes; it holds 4 bytes and this upload adds 5 bytes"},
		{name: "account quota", args: CreateArgs{Container: "c", File: small}, container: map[string]string{},
			acct: map[string]string{"X-Account-Meta-Quota-Bytes": "100", "X-Account-Bytes-Used": "99"}, block: "the account's quota is 100 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := fakeSwift(t)
			withInfo(fc, "")
			if tt.args.Container == "c" {
				headers(fc, "/c", tt.container)
			}
			fc.Optional("HEAD", prefix+"/c_segments", http.StatusNotFound, "")
			if tt.container != nil {
				if tt.replaces != nil {
					headers(fc, "/c/small.txt", tt.replaces)
				}
				fc.Optional("HEAD", prefix+"/c/small.txt", http.StatusNotFound, "")
				fc.Optional("HEAD", prefix+"/c/big.bin", http.StatusNotFound, "")
				fc.Optional("HEAD", prefix+"/c/huge.bin", http.StatusNotFound, "")
				fc.Optional("HEAD", prefix+"/c/x", http.StatusNotFound, "")
				fc.Optional("GET", prefix+"/c", http.StatusOK, `[]`)
			}
			if !tt.early {
				account(fc, tt.acct)
			}
			tl := toolstest.Tool(t, Tools(), "object.create")
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), fc.Env(), tools.JSON(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			if got := blocks(chk); (tt.block == "") != (got == "") || !strings.Contains(got, tt.block) {
				t.Errorf("blocks %q, want %q", got, tt.block)
			}
			if got := level(chk, tools.Warn); !strings.Contains(got, tt.warn) {
				t.Errorf("warnings %q, want %q", got, tt.warn)
			}
			if got := level(chk, tools.Info); !strings.Contains(got, tt.info) {
				t.Errorf("info %q, want %q", got, tt.info)
			}
			if tt.resolved != "" && string(chk.Resolved) != tt.resolved {
				t.Errorf("resolved %s, want %s", chk.Resolved, tt.resolved)
			}
		})
	}
}

// uploadCloud is a fake Swift that stores what is PUT, answers with the
// MD5 as ETag (or a wrong one when told), and records requests.
type uploadCloud struct {
	*toolstest.Cloud
	mu      sync.Mutex
	stored  map[string][]byte
	log     []string
	badETag string
}

func newUploadCloud(t *testing.T) *uploadCloud {
	u := &uploadCloud{Cloud: fakeSwift(t), stored: map[string][]byte{}}
	withInfo(u.Cloud, "")
	return u
}

func (u *uploadCloud) put(path string) {
	u.HandleFunc("PUT", prefix+path, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.stored[path] = b
		u.log = append(u.log, "PUT "+path+query(r))
		bad := u.badETag == path
		u.mu.Unlock()
		etag := md5hex(b)
		if bad {
			etag = "0000"
		}
		w.Header().Set("Etag", etag)
		w.WriteHeader(http.StatusCreated)
	})
}

func (u *uploadCloud) del(path string) {
	u.HandleFunc("DELETE", prefix+path, func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.log = append(u.log, "DELETE "+path+query(r))
		u.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
}

// bulk answers bulk deletes, logging the names.
func (u *uploadCloud) bulk() {
	u.HandleFunc("POST", prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.log = append(u.log, "BULK "+strings.TrimSpace(string(b)))
		u.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"Number Deleted": 1, "Errors": []}`)
	})
}

func query(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return "?" + r.URL.RawQuery
}

func TestCreateRunSmall(t *testing.T) {
	dir := t.TempDir()
	file := write(t, filepath.Join(dir, "a.txt"), "hello world")
	for _, bad := range []bool{false, true} {
		t.Run(fmt.Sprintf("damaged=%t", bad), func(t *testing.T) {
			u := newUploadCloud(t)
			headers(u.Cloud, "/c", map[string]string{})
			headers(u.Cloud, "/c/a.txt", nil)
			u.Optional("HEAD", prefix+"/c_segments", http.StatusNotFound, "")
			u.put("/c/a.txt")
			if bad {
				u.badETag = "/c/a.txt"
				u.del("/c/a.txt")
			}
			env := u.Env()
			rec := &recorder{}
			env.Progress = rec
			res, err := toolstest.Tool(t, Tools(), "object.create").Run(t.Context(), env, tools.JSON(CreateArgs{Container: "c", File: file, Name: "a.txt", SegmentSize: "1024"}))
			if bad {
				if err == nil || !strings.Contains(err.Error(), "swift stored c/a.txt with MD5 0000, but 5eb63bbbe01eeed093cb22bb8f5acdc3 was sent: it was damaged on the way and was deleted again") {
					t.Errorf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(u.stored["/c/a.txt"]) != "hello world" {
				t.Errorf("stored %q", u.stored["/c/a.txt"])
			}
			if res.Message != "object c/a.txt uploaded (11 bytes)" || res.Outputs["created"] != `["a.txt"]` {
				t.Errorf("result %+v", res)
			}
			if rec.done != 11 {
				t.Errorf("progress %d", rec.done)
			}
			undo := Tools()[3].Undo(tools.JSON(CreateArgs{Container: "c", File: file}), res)
			reg := toolstest.Registry(t, Tools())
			if undo == nil || undo.Tool != "object.delete" || reg.Validate(undo.Tool, undo.Args) != nil || string(undo.Args) != `{"container":"c","objects":["a.txt"]}` {
				t.Errorf("undo %+v", undo)
			}
		})
	}
}

type recorder struct {
	mu       sync.Mutex
	statuses []string
	done     int64
}

func (r *recorder) Status(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.statuses = append(r.statuses, s)
}

func (r *recorder) Bytes(done, _ int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = done
}

func TestCreateRunSegmented(t *testing.T) {
	dir := t.TempDir()
	content := "0123456789abcdefghijKLMNO"
	file := write(t, filepath.Join(dir, "big.bin"), content)
	fi, _ := os.Stat(file)
	segPrefix := fmt.Sprintf("big.bin/slo/%.6f/25/10/", float64(fi.ModTime().UnixNano())/1e9)

	u := newUploadCloud(t)
	headers(u.Cloud, "/c", map[string]string{"X-Storage-Policy": "cold"})
	// The object exists as an older large object, whose segments go once
	// the new one is in place.
	headers(u.Cloud, "/c/big.bin", map[string]string{"X-Static-Large-Object": "True", "Content-Length": "7", "Etag": `"old"`})
	u.HandleFunc("GET", prefix+"/c/big.bin", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("multipart-manifest") != "get" {
			t.Errorf("manifest read as %s", r.URL)
		}
		fmt.Fprint(w, `[{"name": "/c_segments/old/0", "bytes": 7}]`)
	})
	headers(u.Cloud, "/c_segments", nil)
	u.HandleFunc("PUT", prefix+"/c_segments", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Storage-Policy") != "cold" {
			t.Errorf("segments container policy %q", r.Header.Get("X-Storage-Policy"))
		}
		w.WriteHeader(http.StatusCreated)
	})
	// An earlier try left segment 0, intact: it is not sent again.
	listing(u.Cloud, "c_segments", fmt.Sprintf(`[{"name": "%s00000000", "bytes": 10, "hash": %q}]`, segPrefix, md5hex([]byte(content[:10]))), func(q url.Values) {
		if q.Get("prefix") != segPrefix {
			t.Errorf("segments listed with prefix %q", q.Get("prefix"))
		}
	})
	u.put("/c_segments/" + segPrefix + "00000001")
	u.put("/c_segments/" + segPrefix + "00000002")
	u.put("/c/big.bin")
	u.bulk()

	res, err := toolstest.Tool(t, Tools(), "object.create").Run(t.Context(), u.Env(), tools.JSON(CreateArgs{Container: "c", File: file, Name: "big.bin", SegmentSize: "10"}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"PUT /c_segments/" + segPrefix + "00000001",
		"PUT /c_segments/" + segPrefix + "00000002",
		"PUT /c/big.bin?multipart-manifest=put",
		"BULK c_segments/old%2F0",
	}
	if diff := cmp.Diff(want, u.log); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	var manifest []manifestEntry
	if err := json.Unmarshal(u.stored["/c/big.bin"], &manifest); err != nil {
		t.Fatal(err)
	}
	wantManifest := []manifestEntry{
		{Path: "/c_segments/" + segPrefix + "00000000", Etag: md5hex([]byte(content[:10])), SizeBytes: 10},
		{Path: "/c_segments/" + segPrefix + "00000001", Etag: md5hex([]byte(content[10:20])), SizeBytes: 10},
		{Path: "/c_segments/" + segPrefix + "00000002", Etag: md5hex([]byte(content[20:])), SizeBytes: 5},
	}
	if diff := cmp.Diff(wantManifest, manifest); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
	if res.Message != "object c/big.bin uploaded (25 bytes, a static large object of 3 segments); 1 segment from an earlier try reused" {
		t.Errorf("message %q", res.Message)
	}
	if res.Outputs["created"] != "" {
		t.Errorf("a replaced object is not the upload's to delete on undo: %v", res.Outputs)
	}
}

func TestCreateCancelledTakesSegmentsBack(t *testing.T) {
	dir := t.TempDir()
	file := write(t, filepath.Join(dir, "big.bin"), strings.Repeat("y", 30))
	fi, _ := os.Stat(file)
	segPrefix := fmt.Sprintf("big.bin/slo/%.6f/30/10/", float64(fi.ModTime().UnixNano())/1e9)
	u := newUploadCloud(t)
	headers(u.Cloud, "/c", map[string]string{})
	headers(u.Cloud, "/c/big.bin", nil)
	headers(u.Cloud, "/c_segments", map[string]string{})
	listing(u.Cloud, "c_segments", `[]`, nil)
	u.put("/c_segments/" + segPrefix + "00000000")
	ctx, cancel := context.WithCancel(t.Context())
	u.HandleFunc("PUT", prefix+"/c_segments/"+segPrefix+"00000001", func(w http.ResponseWriter, r *http.Request) {
		cancel() // Ctrl-C while the second segment is on its way
		_, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusCreated)
	})
	u.bulk()
	_, err := toolstest.Tool(t, Tools(), "object.create").Run(ctx, u.Env(), tools.JSON(CreateArgs{Container: "c", File: file, Name: "big.bin", SegmentSize: "10"}))
	if err == nil || !strings.Contains(err.Error(), "c/big.bin was not created and the 1 segment sent were deleted again") {
		t.Errorf("err = %v", err)
	}
	if u.Calls("PUT", prefix+"/c/big.bin") != 0 {
		t.Error("a manifest was written after Ctrl-C")
	}
	if last := u.log[len(u.log)-1]; last != "BULK c_segments/"+strings.ReplaceAll(segPrefix, "/", "%2F")+"00000000" {
		t.Errorf("clean-up %q", last)
	}
}

func TestCreateFolder(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write(t, filepath.Join(dir, "site", "index.html"), "<p>hi</p>")
	write(t, filepath.Join(dir, "site", "css", "a.css"), "p{}")
	u := newUploadCloud(t)
	headers(u.Cloud, "/web", map[string]string{})
	headers(u.Cloud, "/web_segments", nil)
	listing(u.Cloud, "web", `[{"name": "site/index.html", "bytes": 3}]`, func(q url.Values) {
		if q.Get("prefix") != "site/" {
			t.Errorf("prefix %q", q.Get("prefix"))
		}
	})
	u.put("/web/site/css/a.css")
	u.put("/web/site/index.html")
	account(u.Cloud, nil)
	tl := toolstest.Tool(t, Tools(), "object.create")
	args := tools.JSON(CreateArgs{Container: "web", File: "site"})
	chk, err := tl.Check(cloud.WithReadOnly(t.Context()), u.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	if w := level(chk, tools.Warn); !strings.Contains(w, "replaces 1 object that already exist in web (site/index.html)") {
		t.Errorf("warnings %q", w)
	}
	pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), u.Env(), chk.Resolved, chk)
	if err != nil {
		t.Fatal(err)
	}
	wantCreates := []string{"object web/site/css/a.css (3 bytes)", "object web/site/index.html (9 bytes), replacing the one there"}
	if diff := cmp.Diff(wantCreates, pv.Creates); diff != "" {
		t.Errorf("creates (-want +got):\n%s", diff)
	}
	res, err := tl.Run(t.Context(), u.Env(), chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	if res.Message != "2 files (12 bytes) uploaded from "+filepath.Join(dir, "site")+" to web under site/" || res.Outputs["created"] != `["site/css/a.css"]` {
		t.Errorf("result %+v", res)
	}
}
