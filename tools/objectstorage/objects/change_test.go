package objects

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// serve answers GET of an object with content (and its MD5 as ETag,
// unless etag is given).
func serve(fc *toolstest.Cloud, path, content, etag string) {
	fc.HandleFunc("GET", prefix+path, func(w http.ResponseWriter, r *http.Request) {
		if etag == "" {
			etag = md5hex([]byte(content))
		}
		w.Header().Set("Etag", etag)
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		w.Header().Set("Last-Modified", "Thu, 03 Dec 2026 05:56:35 GMT")
		fmt.Fprint(w, content)
	})
}

func TestSaveCheck(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write(t, filepath.Join(dir, "taken.txt"), "mine")
	tests := []struct {
		name  string
		args  SaveArgs
		setup func(fc *toolstest.Cloud)
		block string
		warn  string
		file  string
	}{
		{name: "to its own name", args: SaveArgs{Container: "c", Object: "docs/a.txt"},
			setup: func(fc *toolstest.Cloud) { headers(fc, "/c/docs/a.txt", map[string]string{"Content-Length": "3"}) },
			file:  filepath.Join(dir, "docs", "a.txt")},
		{name: "over a file", args: SaveArgs{Container: "c", Object: "x", File: "taken.txt"},
			setup: func(fc *toolstest.Cloud) { headers(fc, "/c/x", map[string]string{}) },
			block: "1 local file already exists (" + filepath.Join(dir, "taken.txt") + "); add --overwrite to replace it, or give another --file"},
		{name: "over a file, overwriting", args: SaveArgs{Container: "c", Object: "x", File: "taken.txt", Overwrite: true},
			setup: func(fc *toolstest.Cloud) { headers(fc, "/c/x", map[string]string{}) },
			warn:  "--overwrite replaces it", file: filepath.Join(dir, "taken.txt")},
		{name: "into a folder", args: SaveArgs{Container: "c", Object: "x/y.txt", File: "."},
			setup: func(fc *toolstest.Cloud) { headers(fc, "/c/x/y.txt", map[string]string{}) },
			file:  filepath.Join(dir, "y.txt")},
		{name: "a name that climbs", args: SaveArgs{Container: "c", Object: "../../etc/passwd"},
			setup: func(fc *toolstest.Cloud) { headers(fc, "/c/../../etc/passwd", map[string]string{}) },
			block: `object "../../etc/passwd" cannot be saved under its own name below this folder; give --file`},
		{name: "missing", args: SaveArgs{Container: "c", Object: "nope"},
			setup: func(fc *toolstest.Cloud) {
				headers(fc, "/c/nope", nil)
				listing(fc, "c", `[]`, nil)
			},
			block: `no object "nope" in container c`},
		{name: "a pseudo-folder without its slash", args: SaveArgs{Container: "c", Object: "docs"},
			setup: func(fc *toolstest.Cloud) {
				headers(fc, "/c/docs", nil)
				listing(fc, "c", `[{"name": "docs/a.txt", "bytes": 1}]`, nil)
			},
			block: "docs in c is a pseudo-folder; add a trailing / (docs/) to save everything under it"},
		{name: "a folder with a name that climbs", args: SaveArgs{Container: "c", Object: "docs/"},
			setup: func(fc *toolstest.Cloud) {
				listing(fc, "c", `[{"name": "docs/a.txt", "bytes": 1}, {"name": "docs/../../x", "bytes": 1}, {"name": "docs/", "bytes": 0}]`, nil)
			},
			block: `object "docs/../../x" would be saved outside ` + filepath.Join(dir, "docs") + "; save it alone with --file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := fakeSwift(t)
			tt.setup(fc)
			chk, err := toolstest.Tool(t, Tools(), "object.save").Check(cloud.WithReadOnly(t.Context()), fc.Env(), tools.JSON(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			if got := blocks(chk); (tt.block == "") != (got == "") || !strings.Contains(got, tt.block) {
				t.Errorf("blocks %q, want %q", got, tt.block)
			}
			if got := level(chk, tools.Warn); !strings.Contains(got, tt.warn) {
				t.Errorf("warnings %q, want %q", got, tt.warn)
			}
			if tt.file != "" {
				var resolved SaveArgs
				_ = json.Unmarshal(chk.Resolved, &resolved)
				if resolved.File != tt.file {
					t.Errorf("file %q, want %q", resolved.File, tt.file)
				}
			}
		})
	}
}

func TestSaveRun(t *testing.T) {
	dir := t.TempDir()
	t.Run("one object, verified and renamed into place", func(t *testing.T) {
		fc := fakeSwift(t)
		headers(fc, "/c/a.txt", map[string]string{"Content-Length": "5"})
		serve(fc, "/c/a.txt", "hello", "")
		dest := filepath.Join(dir, "out", "a.txt")
		res, err := toolstest.Run(t, fc.Env(), Tools(), "object.save", SaveArgs{Container: "c", Object: "a.txt", File: dest})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(dest)
		fi, _ := os.Stat(dest)
		if string(b) != "hello" || fi.Mode().Perm() != 0o644 || fi.ModTime().UTC().Format(time.RFC3339) != "2026-12-03T05:56:35Z" {
			t.Errorf("file %q, mode %v, mtime %v", b, fi.Mode(), fi.ModTime())
		}
		if res.Message != "c/a.txt saved to "+dest+" (5 bytes)" {
			t.Errorf("message %q", res.Message)
		}
		leftovers, _ := filepath.Glob(filepath.Join(dir, "out", ".*part*"))
		if len(leftovers) != 0 {
			t.Errorf("part files left: %v", leftovers)
		}
	})
	t.Run("damaged on the way: nothing written", func(t *testing.T) {
		fc := fakeSwift(t)
		headers(fc, "/c/b.txt", map[string]string{"Content-Length": "5"})
		serve(fc, "/c/b.txt", "hello", "0000")
		dest := filepath.Join(dir, "b.txt")
		_, err := toolstest.Run(t, fc.Env(), Tools(), "object.save", SaveArgs{Container: "c", Object: "b.txt", File: dest})
		if err == nil || !strings.Contains(err.Error(), "arrived with MD5 5d41402abc4b2a76b9719d911017c592, not its ETag 0000") {
			t.Errorf("err = %v", err)
		}
		if _, err := os.Stat(dest); err == nil {
			t.Error("a damaged download was saved")
		}
		leftovers, _ := filepath.Glob(filepath.Join(dir, ".b.txt.part*"))
		if len(leftovers) != 0 {
			t.Errorf("part files left: %v", leftovers)
		}
	})
	t.Run("a pseudo-folder into a folder", func(t *testing.T) {
		fc := fakeSwift(t)
		listing(fc, "c", `[{"name": "docs/a.txt", "bytes": 1}, {"name": "docs/sub/b.txt", "bytes": 2}, {"name": "docs/", "bytes": 0}]`, nil)
		serve(fc, "/c/docs/a.txt", "A", "")
		serve(fc, "/c/docs/sub/b.txt", "BB", "")
		dest := filepath.Join(dir, "saved")
		res, err := toolstest.Run(t, fc.Env(), Tools(), "object.save", SaveArgs{Container: "c", Object: "docs/", File: dest})
		if err != nil {
			t.Fatal(err)
		}
		for p, want := range map[string]string{"a.txt": "A", "sub/b.txt": "BB"} {
			if b, _ := os.ReadFile(filepath.Join(dest, p)); string(b) != want {
				t.Errorf("%s = %q", p, b)
			}
		}
		if res.Message != "2 objects (3 bytes) saved into "+dest {
			t.Errorf("message %q", res.Message)
		}
	})
}

func TestDelete(t *testing.T) {
	fc := fakeSwift(t)
	headers(fc, "/c/a", map[string]string{"Content-Length": "4", "Etag": "e1"})
	headers(fc, "/c/big", map[string]string{"Content-Length": "40", "Etag": `"e2"`, "X-Static-Large-Object": "True"})
	headers(fc, "/c/gone", nil)
	listing(fc, "c", `[]`, nil)
	tl := toolstest.Tool(t, Tools(), "object.delete")
	ro := cloud.WithReadOnly(t.Context())
	chk, err := tl.Check(ro, fc.Env(), tools.JSON(DeleteArgs{Container: "c", Objects: []string{"a", "big", "gone"}}))
	if err != nil {
		t.Fatal(err)
	}
	if got := blocks(chk); got != `no object "gone" in container c (or no such container); /object list c shows what is there` {
		t.Errorf("blocks %q", got)
	}
	chk, err = tl.Check(ro, fc.Env(), tools.JSON(DeleteArgs{Container: "c", Objects: []string{"a", "big"}}))
	if err != nil || chk.Blocked() {
		t.Fatal(err, chk)
	}
	pv, err := tl.Preview(ro, fc.Env(), tools.JSON(DeleteArgs{Container: "c", Objects: []string{"a", "big"}}), chk)
	if err != nil {
		t.Fatal(err)
	}
	want := []tools.Request{{Method: "DELETE", URL: fc.Server.URL + prefix + "/c/a"}, {Method: "DELETE", URL: fc.Server.URL + prefix + "/c/big?multipart-manifest=delete"}}
	if diff := cmp.Diff(want, pv.Requests); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	fc.Handle("DELETE", prefix+"/c/a", http.StatusNoContent, "")
	fc.HandleFunc("DELETE", prefix+"/c/big", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("multipart-manifest") != "delete" {
			t.Errorf("large object deleted as %s", r.URL)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"Number Deleted": 3, "Errors": []}`)
	})
	res, err := tl.Run(t.Context(), fc.Env(), tools.JSON(DeleteArgs{Container: "c", Objects: []string{"a", "big"}}))
	if err != nil || res.Message != "2 objects deleted from c (44 bytes)" {
		t.Errorf("run: %v, %+v", err, res)
	}
}

func TestCopy(t *testing.T) {
	tests := []struct {
		name, dest string
		setup      func(fc *toolstest.Cloud)
		block      string
		warn       string
		header     string
	}{
		{name: "same container", dest: "b", setup: func(fc *toolstest.Cloud) { headers(fc, "/c/b", nil) }, header: "/c/b"},
		{name: "another container", dest: "/d/x/y", setup: func(fc *toolstest.Cloud) {
			headers(fc, "/d", map[string]string{})
			headers(fc, "/d/x/y", map[string]string{"Content-Length": "9"})
		}, warn: "replaces object d/x/y (9 bytes)", header: "/d/x%2Fy"},
		{name: "onto itself", dest: "a", block: "a copy onto itself changes nothing"},
		{name: "missing container", dest: "/nope/a", setup: func(fc *toolstest.Cloud) { headers(fc, "/nope", nil) },
			block: "container nope does not exist; create it first with /container create nope"},
		{name: "no name", dest: "/d", block: `destination "/d" names no object`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := fakeSwift(t)
			withInfo(fc, "")
			headers(fc, "/c/a", map[string]string{"Content-Length": "3", "Etag": "e"})
			if tt.setup != nil {
				tt.setup(fc)
			}
			args := CopyArgs{Container: "c", Object: "a", Destination: tt.dest}
			tl := toolstest.Tool(t, Tools(), "object.copy")
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), fc.Env(), tools.JSON(args))
			if err != nil {
				t.Fatal(err)
			}
			if got := blocks(chk); (tt.block == "") != (got == "") || !strings.Contains(got, tt.block) {
				t.Errorf("blocks %q, want %q", got, tt.block)
			}
			if got := level(chk, tools.Warn); !strings.Contains(got, tt.warn) {
				t.Errorf("warnings %q, want %q", got, tt.warn)
			}
			if tt.header == "" {
				return
			}
			fc.HandleFunc("COPY", prefix+"/c/a", func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Destination") != tt.header {
					t.Errorf("Destination %q, want %q", r.Header.Get("Destination"), tt.header)
				}
				w.WriteHeader(http.StatusCreated)
			})
			res, err := tl.Run(t.Context(), fc.Env(), tools.JSON(args))
			if err != nil {
				t.Fatal(err)
			}
			undo := Tools()[6].Undo(tools.JSON(args), res)
			if (undo != nil) != (tt.warn == "") {
				t.Errorf("undo %+v for a copy that replaced=%t", undo, tt.warn != "")
			}
		})
	}
}

func TestSetKeepsWhatItDoesNotChange(t *testing.T) {
	now := time.Now()
	expiry := now.Add(48 * time.Hour).Unix()
	fc := fakeSwift(t)
	headers(fc, "/c/a", map[string]string{"X-Object-Meta-Owner": "ops", "X-Object-Meta-Password": "CANARY", "X-Delete-At": strconv.FormatInt(expiry, 10), "Etag": "e"})
	var got http.Header
	fc.HandleFunc("POST", prefix+"/c/a", func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.WriteHeader(http.StatusAccepted)
	})
	args := json.RawMessage(`{"container": "c", "object": "a", "property": {"team": "blue"}}`)
	tl := toolstest.Tool(t, Tools(), "object.set")
	chk, err := tl.Check(cloud.WithReadOnly(t.Context()), fc.Env(), args)
	if err != nil || chk.Blocked() {
		t.Fatal(err, chk)
	}
	pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), args, chk)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(pv); strings.Contains(string(b), "CANARY") {
		t.Errorf("a secret property reached the preview: %s", b)
	}
	res, err := tl.Run(t.Context(), fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	// Swift's POST replaces all metadata and drops an expiry it does not
	// repeat: both are sent again.
	for k, want := range map[string]string{"X-Object-Meta-Owner": "ops", "X-Object-Meta-Password": "CANARY", "X-Object-Meta-Team": "blue", "X-Delete-At": strconv.FormatInt(expiry, 10)} {
		if got.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, got.Get(k), want)
		}
	}
	undo := Tools()[7].Undo(args, res)
	if undo == nil || string(undo.Args) != `{"container":"c","object":"a","property":{"team":""}}` {
		t.Errorf("undo %+v", undo)
	}
}

func TestSetExpiry(t *testing.T) {
	tests := []struct {
		name   string
		args   string
		have   map[string]string
		block  string
		header map[string]string
		undo   string
	}{
		{name: "delete after", args: `{"container": "c", "object": "a", "delete_after": "2h"}`, have: map[string]string{},
			header: map[string]string{"X-Delete-After": "7200", "X-Delete-At": ""}, undo: `{"container":"c","object":"a","delete_at":""}`},
		{name: "delete at", args: `{"container": "c", "object": "a", "delete_at": "2100-01-01T00:00:00Z"}`, have: map[string]string{},
			header: map[string]string{"X-Delete-At": "4102444800"}},
		{name: "in the past", args: `{"container": "c", "object": "a", "delete_at": "2001-01-01"}`, have: map[string]string{},
			block: "2001-01-01T00:00:00Z is in the past; Swift would refuse it"},
		{name: "both", args: `{"container": "c", "object": "a", "delete_at": "2100-01-01", "delete_after": "1h"}`, have: map[string]string{},
			block: "give --delete-after or --delete-at, not both"},
		{name: "unset keeps the properties", args: `{"container": "c", "object": "a", "expiry": true}`,
			have:   map[string]string{"X-Delete-At": "4102444800", "X-Object-Meta-Owner": "ops"},
			header: map[string]string{"X-Delete-At": "", "X-Object-Meta-Owner": "ops"}, undo: `{"container":"c","object":"a","delete_at":"4102444800"}`},
		{name: "unset what is not there", args: `{"container": "c", "object": "a", "expiry": true, "property": ["x"]}`, have: map[string]string{},
			block: "object c/a has no property \"x\"\nobject c/a does not expire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := fakeSwift(t)
			headers(fc, "/c/a", tt.have)
			name := "object.set"
			if strings.Contains(tt.args, "expiry") {
				name = "object.unset"
			}
			tl := toolstest.Tool(t, Tools(), name)
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			if got := blocks(chk); (tt.block == "") != (got == "") || !strings.Contains(got, tt.block) {
				t.Errorf("blocks %q, want %q", got, tt.block)
			}
			if tt.header == nil {
				return
			}
			var got http.Header
			fc.HandleFunc("POST", prefix+"/c/a", func(w http.ResponseWriter, r *http.Request) {
				got = r.Header.Clone()
				w.WriteHeader(http.StatusAccepted)
			})
			res, err := tl.Run(t.Context(), fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range tt.header {
				if got.Get(k) != want {
					t.Errorf("%s = %q, want %q", k, got.Get(k), want)
				}
			}
			if tt.undo != "" {
				reg := toolstest.Registry(t, Tools())
				tool, _ := reg.Lookup(name)
				undo := tool.Undo(json.RawMessage(tt.args), res)
				if undo == nil || string(undo.Args) != tt.undo || reg.Validate(undo.Tool, undo.Args) != nil {
					t.Errorf("undo %+v, want %s", undo, tt.undo)
				}
			}
		})
	}
}
