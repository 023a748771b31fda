package objectstorage

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const prefix = "/object/v1/AUTH_p"

// fakeSwift is the fake cloud with a Swift endpoint, laid out as a real
// catalog gives it (/v1/AUTH_project), and its /info beside /v1.
func fakeSwift(t *testing.T) *toolstest.Cloud {
	fc := toolstest.New(t)
	fc.Caps.Services[Service] = cloud.Service{Type: Service, Name: "swift", Endpoint: fc.Server.URL + prefix + "/", Version: "v1", Region: "RegionOne"}
	return fc
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "1048576", want: 1 << 20}, {in: "512K", want: 512 << 10}, {in: "64M", want: 64 << 20},
		{in: "2G", want: 2 << 30}, {in: "1T", want: 1 << 40}, {in: "64MiB", want: 64 << 20}, {in: "10mb", want: 10 << 20},
		{in: "", bad: true}, {in: "M", bad: true}, {in: "-1", bad: true}, {in: "1.5G", bad: true}, {in: "99999999999T", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, bad=%t", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "3600", want: time.Hour}, {in: "90s", want: 90 * time.Second}, {in: "30m", want: 30 * time.Minute},
		{in: "1h30m", want: 90 * time.Minute}, {in: "2d", want: 48 * time.Hour}, {in: "1w", want: 7 * 24 * time.Hour},
		{in: "soon", bad: true}, {in: "-5m", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, bad=%t", tt.in, got, err, tt.want, tt.bad)
		}
	}
	if _, err := ParseTime("2030-01-02T03:04:05Z"); err != nil {
		t.Error(err)
	}
	if got, _ := ParseTime("1900000000"); got.Unix() != 1900000000 {
		t.Errorf("unix time read as %v", got)
	}
	if _, err := ParseTime("tomorrow"); err == nil || !strings.Contains(err.Error(), "RFC 3339") {
		t.Errorf("err = %v", err)
	}
}

func TestNames(t *testing.T) {
	info := &Info{Published: true, Swift: SwiftInfo{MaxContainerNameLength: 10, MaxObjectNameLength: 12}}
	tests := []struct {
		container, object, want string
	}{
		{container: "photos", object: "a/b.jpg"},
		{container: "a/b", want: `container name "a/b" contains '/', which Swift reads as the start of an object name; use another character ("a-b", say)`},
		{container: "", want: "a container name must not be empty"},
		{container: "elevenchars", want: "is 11 bytes long; this cluster allows at most 10"},
		{container: "c", object: "../etc/passwd", want: "has a '..' segment, which would climb out of a folder when it is saved"},
		{container: "c", object: "a/../b", want: "'..' segment"},
		{container: "c", object: "a..b/c..", want: ""},
		{container: "c", object: "thirteen-char", want: "is 13 bytes long; this cluster allows at most 12"},
	}
	for _, tt := range tests {
		got := ContainerProblem(tt.container, info)
		if got == "" && tt.object != "" {
			got = ObjectProblem(tt.object, info)
		}
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%q %q: problem %q, want %q", tt.container, tt.object, got, tt.want)
		}
	}
}

func TestInfo(t *testing.T) {
	if got := infoURL("https://swift.example:8080/v1/AUTH_x"); got != "https://swift.example:8080/info" {
		t.Errorf("infoURL = %s", got)
	}
	if got := infoURL("https://example/object-store/v1/AUTH_x/"); got != "https://example/object-store/info" {
		t.Errorf("infoURL under a path = %s", got)
	}
	fc := fakeSwift(t)
	fc.Handle("GET", "/object/info", http.StatusOK, `{"swift": {"version": "2.30.1", "max_file_size": 5368709122, "policies": [{"name": "gold", "aliases": "gold, fast", "default": true}]},
		"slo": {"max_manifest_segments": 1000, "min_segment_size": 1}, "tempurl": {"methods": ["GET", "PUT"], "allowed_digests": ["sha1", "sha256"]}}`)
	c, err := Client(t.Context(), fc.Env())
	if err != nil {
		t.Fatal(err)
	}
	info, err := GetInfo(cloud.WithReadOnly(t.Context()), c)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Has(FeatureSLO) || info.Has(FeatureContainerQuotas) || info.Swift.MaxFileSize != 5368709122 {
		t.Errorf("info = %+v", info)
	}
	if p, ok := info.Policy("fast"); !ok || p.Name != "gold" {
		t.Errorf("policy by alias = %v, %t", p, ok)
	}
	if _, ok := info.Policy("silver"); ok {
		t.Error("an unknown policy was found")
	}
	if got := info.Strings(FeatureTempURL, "methods"); !cmp.Equal(got, []string{"GET", "PUT"}) {
		t.Errorf("methods = %v", got)
	}
	chk := &tools.Check{}
	info.Require(chk, FeatureContainerQuotas, "the quota would not be enforced")
	want := `this cluster's Swift does not run the container_quotas middleware (no "container_quotas" in /info), so it has no container quotas; the quota would not be enforced`
	if len(chk.Findings) != 1 || chk.Findings[0].Level != tools.Block || chk.Findings[0].Text != want {
		t.Errorf("findings = %+v", chk.Findings)
	}
}

func TestInfoUnpublished(t *testing.T) {
	fc := fakeSwift(t)
	fc.Handle("GET", "/object/info", http.StatusNotFound, `not here`)
	c, _ := Client(t.Context(), fc.Env())
	info, err := GetInfo(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	chk := &tools.Check{}
	info.Require(chk, FeatureSLO, "x")
	if info.Published || !info.Has(FeatureSLO) || len(chk.Findings) != 1 || chk.Findings[0].Level != tools.Warn {
		t.Errorf("unpublished info: %+v, findings %+v", info, chk.Findings)
	}
}

func TestMetadataHidesSecrets(t *testing.T) {
	h := http.Header{}
	h.Set("X-Container-Meta-Owner", "ops")
	h.Set("X-Container-Meta-Temp-Url-Key", "CANARY")
	h.Set("X-Container-Meta-Quota-Bytes", "10")
	h.Set("X-Container-Read", ".r:*")
	got := Metadata(h, "X-Container-Meta-", MetaQuotaBytes)
	if diff := cmp.Diff(map[string]string{"Owner": "ops", "Temp-Url-Key": "<redacted>"}, got); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	body := fmt.Sprint(HeaderBody(map[string]string{"X-Account-Meta-Temp-URL-Key": "CANARY", "X-Container-Read": ""}))
	if strings.Contains(body, "CANARY") || !strings.Contains(body, "X-Container-Read") {
		t.Errorf("header body = %s", body)
	}
}

func TestDeleteObjects(t *testing.T) {
	entries := []Entry{{Name: "a", Bytes: 1}, {Name: "big", Bytes: 100, SLOEtag: "e"}, {Name: "dir/", Subdir: "dir/"}, {Name: "b c", Bytes: 2}}
	t.Run("bulk", func(t *testing.T) {
		fc := fakeSwift(t)
		fc.HandleFunc("DELETE", prefix+"/ct/big", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("multipart-manifest") != "delete" {
				t.Errorf("a large object deleted without its segments: %s", r.URL)
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"Number Deleted": 4, "Number Not Found": 0, "Errors": [], "Response Status": "200 OK"}`)
		})
		fc.HandleFunc("POST", prefix+"/", func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			if r.URL.Query().Get("bulk-delete") != "true" || string(b) != "ct/a\nct/b%20c\n" {
				t.Errorf("bulk delete %s with %q", r.URL, b)
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"Number Deleted": 2, "Number Not Found": 0, "Errors": [], "Response Status": "200 OK"}`)
		})
		c, _ := Client(t.Context(), fc.Env())
		info := &Info{Published: true, Middleware: map[string]map[string]json.RawMessage{FeatureBulkDelete: {}}}
		got, err := DeleteObjects(t.Context(), c, info, "ct", entries, discard{})
		if err != nil || got.Deleted != 3 || got.Bytes != 103 {
			t.Errorf("tally %+v, %v", got, err)
		}
	})
	t.Run("one by one, a missing one counts as gone", func(t *testing.T) {
		fc := fakeSwift(t)
		fc.Handle("DELETE", prefix+"/ct/big", http.StatusNoContent, "")
		fc.Handle("DELETE", prefix+"/ct/a", http.StatusNotFound, "")
		fc.Handle("DELETE", prefix+"/ct/b c", http.StatusNoContent, "")
		c, _ := Client(t.Context(), fc.Env())
		got, err := DeleteObjects(t.Context(), c, &Info{}, "ct", entries, discard{})
		if err != nil || got.Deleted != 3 {
			t.Errorf("tally %+v, %v", got, err)
		}
	})
	t.Run("segments Swift kept are an error", func(t *testing.T) {
		fc := fakeSwift(t)
		fc.Handle("DELETE", prefix+"/ct/big", http.StatusOK, `{"Number Deleted": 1, "Errors": [["/ct_segments/s2", "403 Forbidden"]], "Response Status": "400 Bad Request"}`)
		c, _ := Client(t.Context(), fc.Env())
		_, err := DeleteObjects(t.Context(), c, &Info{}, "ct", entries[1:2], discard{})
		if err == nil || !strings.Contains(err.Error(), "Swift kept 1 of its segments (/ct_segments/s2: 403 Forbidden)") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a refusal stops", func(t *testing.T) {
		fc := fakeSwift(t)
		fc.Handle("DELETE", prefix+"/ct/a", http.StatusForbidden, "")
		c, _ := Client(t.Context(), fc.Env())
		_, err := DeleteObjects(t.Context(), c, &Info{}, "ct", entries[:1], discard{})
		if err == nil || !strings.Contains(err.Error(), "delete ct/a") {
			t.Errorf("err = %v", err)
		}
	})
}

type discard struct{}

func (discard) Status(string)      {}
func (discard) Bytes(int64, int64) {}
