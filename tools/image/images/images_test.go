package images

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const (
	cirrosID = "0d4b35f2-5d0e-4c4a-9a2f-0d7b1c2a9e01"
	debianID = "7a1c9e55-13f0-4b7e-8d6e-3f2b7d5e4c02"
	queuedID = "b3e0f1aa-6c2d-4f7e-9e11-5d4c3b2a1f03"
	twinAID  = "c4d5e6f7-0000-4000-8000-00000000000a"
	twinBID  = "c4d5e6f7-0000-4000-8000-00000000000b"
)

const cirrosJSON = `{"id": "` + cirrosID + `", "name": "cirros", "status": "active", "disk_format": "qcow2",
  "container_format": "bare", "size": 21430272, "checksum": "443b7623e27ecf03dc9e01ee93f67afe",
  "visibility": "public", "protected": false, "owner": "9f8e7d6c", "tags": ["test", "tiny"],
  "min_disk": 0, "min_ram": 0, "virtual_size": 117440512, "os_hidden": false,
  "os_hash_algo": "sha512", "hw_rng_model": "virtio",
  "created_at": "2024-03-01T10:00:00Z", "updated_at": "2024-03-01T10:00:05Z",
  "self": "/v2/images/` + cirrosID + `", "file": "/v2/images/` + cirrosID + `/file", "schema": "/v2/schemas/image"}`

const debianJSON = `{"id": "` + debianID + `", "name": "debian-12", "status": "active", "disk_format": "raw",
  "container_format": "bare", "size": 2147483648, "checksum": "aa11", "visibility": "private",
  "protected": true, "owner": "1a2b3c4d", "tags": []}`

const queuedJSON = `{"id": "` + queuedID + `", "name": null, "status": "queued", "disk_format": null,
  "container_format": null, "size": null, "checksum": null, "visibility": "shared",
  "protected": false, "owner": "1a2b3c4d", "tags": [], "virtual_size": null}`

func TestList(t *testing.T) {
	tests := []struct {
		name      string
		args      ListArgs
		wantQuery string
		wantNames []string
	}{
		{
			name:      "all pages",
			wantQuery: "sort=name%3Aasc",
			wantNames: []string{"cirros", "debian-12"},
		},
		{
			name:      "filters",
			args:      ListArgs{Name: "cirros", Status: "active", Visibility: "public", Tag: "tiny"},
			wantQuery: "name=cirros&sort=name%3Aasc&status=active&tag=tiny&visibility=public",
			// A filtered list adds to the names already known.
			wantNames: []string{"cirros", "debian-12", "old"},
		},
		{
			name:      "limit stops after the first page",
			args:      ListArgs{Limit: 2},
			wantQuery: "limit=2&sort=name%3Aasc",
			wantNames: []string{"cirros", "debian-12", "old"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.HandleFunc("GET", toolstest.ImagePrefix+"/images", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if r.URL.Query().Get("marker") == debianID {
					fmt.Fprintf(w, `{"images": [%s]}`, queuedJSON)
					return
				}
				if got := r.URL.RawQuery; got != tt.wantQuery {
					t.Errorf("query = %q, want %q", got, tt.wantQuery)
				}
				fmt.Fprintf(w, `{"images": [%s, %s], "next": "/v2/images?marker=%s&sort=name%%3Aasc"}`, cirrosJSON, debianJSON, debianID)
			})
			env := fc.Env()
			env.Names.Replace(Kind, "old", "debian-12")
			res, err := toolstest.Run(t, env, Tools(), "image.list", tt.args)
			if err != nil {
				t.Fatal(err)
			}
			var headers []string
			for _, c := range res.List.Columns {
				if !c.Long {
					headers = append(headers, c.Name)
				}
			}
			if diff := cmp.Diff([]string{"ID", "Name", "Status"}, headers); diff != "" {
				t.Errorf("short columns (-want +got):\n%s", diff)
			}
			want := [][]any{
				{cirrosID, "cirros", "qcow2", "bare", 21430272, "443b7623e27ecf03dc9e01ee93f67afe", "active", "public", false, "9f8e7d6c", []string{"test", "tiny"}},
				{debianID, "debian-12", "raw", "bare", 2147483648, "aa11", "active", "private", true, "1a2b3c4d", []string{}},
			}
			if tt.args.Limit == 0 {
				// The second page: a queued image has nulls where openstack prints None.
				want = append(want, []any{queuedID, nil, nil, nil, nil, nil, "queued", "shared", false, "1a2b3c4d", []string{}})
			}
			if diff := cmp.Diff(want, res.List.Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantNames, env.Names.Of(Kind)); diff != "" {
				t.Errorf("remembered names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShow(t *testing.T) {
	tests := []struct {
		name     string
		arg      string
		getByID  bool   // a UUID-shaped argument is tried as an ID first
		notFound bool   // ... and that GET finds nothing
		byName   string // JSON list answered to ?name=
		wantErr  string
		wantID   string
	}{
		{name: "by ID", arg: cirrosID, getByID: true, wantID: cirrosID},
		{name: "by name", arg: "cirros", byName: `[` + cirrosJSON + `]`, wantID: cirrosID},
		{name: "missing", arg: "fedora", byName: `[]`, wantErr: `no image named or with ID "fedora"`},
		{name: "UUID not found", arg: debianID, getByID: true, notFound: true, byName: `[]`, wantErr: `no image named or with ID "` + debianID + `"`},
		{
			name: "ambiguous", arg: "twin",
			byName:  `[{"id": "` + twinAID + `", "name": "twin"}, {"id": "` + twinBID + `", "name": "twin"}]`,
			wantErr: "2 images are named \"twin\"; use an ID:\n  " + twinAID + "  twin\n  " + twinBID + "  twin",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			if tt.getByID {
				if tt.notFound {
					fc.Handle("GET", toolstest.ImagePrefix+"/images/"+tt.arg, http.StatusNotFound, `{"message": "No image found"}`)
				} else {
					fc.Handle("GET", toolstest.ImagePrefix+"/images/"+tt.arg, http.StatusOK, cirrosJSON)
				}
			}
			if tt.byName != "" {
				fc.HandleFunc("GET", toolstest.ImagePrefix+"/images", func(w http.ResponseWriter, r *http.Request) {
					if got := r.URL.Query().Get("name"); got != tt.arg {
						t.Errorf("name filter = %q, want %q", got, tt.arg)
					}
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprintf(w, `{"images": %s}`, tt.byName)
				})
			}
			res, err := toolstest.Run(t, fc.Env(), Tools(), "image.show", ShowArgs{Image: tt.arg})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Record.Get("id"); got != tt.wantID {
				t.Errorf("id = %v, want %s", got, tt.wantID)
			}
		})
	}
}

func TestRecord(t *testing.T) {
	var raw map[string]any
	if err := json.Unmarshal([]byte(cirrosJSON), &raw); err != nil {
		t.Fatal(err)
	}
	raw["checksum"] = nil // null fields are left out, as openstack leaves them out
	got := Record(raw)
	want := &tools.Record{Fields: []tools.Field{
		{Name: "container_format", Value: "bare"},
		{Name: "created_at", Value: "2024-03-01T10:00:00Z", Kind: tools.Time},
		{Name: "disk_format", Value: "qcow2"},
		{Name: "file", Value: "/v2/images/" + cirrosID + "/file"},
		{Name: "id", Value: cirrosID},
		{Name: "min_disk", Value: 0},
		{Name: "min_ram", Value: 0},
		{Name: "name", Value: "cirros"},
		{Name: "owner", Value: "9f8e7d6c"},
		{Name: "properties", Value: map[string]any{"hw_rng_model": "virtio", "os_hash_algo": "sha512", "os_hidden": false}},
		{Name: "protected", Value: false},
		{Name: "schema", Value: "/v2/schemas/image"},
		{Name: "size", Value: 21430272},
		{Name: "status", Value: "active", Kind: tools.Status},
		{Name: "tags", Value: []string{"test", "tiny"}},
		{Name: "updated_at", Value: "2024-03-01T10:00:05Z", Kind: tools.Time},
		{Name: "virtual_size", Value: 117440512},
		{Name: "visibility", Value: "public"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
}

func TestNameListsOnce(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.ImagePrefix+"/images", http.StatusOK, `{"images": [`+cirrosJSON+`, `+debianJSON+`]}`)
	env := fc.Env()
	for _, tc := range []struct{ id, want string }{
		{cirrosID, "cirros"}, {debianID, "debian-12"}, {cirrosID, "cirros"},
	} {
		got, err := Name(t.Context(), env, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("Name(%s) = %q, want %q", tc.id, got, tc.want)
		}
	}
	if n := fc.Calls("GET", toolstest.ImagePrefix+"/images"); n != 1 {
		t.Errorf("image list calls = %d, want 1", n)
	}
}
