package servers

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestSnapshotCheck(t *testing.T) {
	tests := []struct {
		name, server, wantBlock string
	}{
		{name: "active", server: serverBody("ACTIVE", "", false, small, cirrosID)},
		{name: "stopped", server: serverBody("SHUTOFF", "", false, small, cirrosID)},
		{name: "error", server: serverBody("ERROR", "", false, small, cirrosID), wantBlock: "snapshot needs it to be ACTIVE or SHUTOFF or PAUSED or SUSPENDED"},
		{name: "busy", server: serverBody("ACTIVE", "image_snapshot", false, small, cirrosID), wantBlock: "busy (image_snapshot)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			stubServer(fc, tt.server)
			chk := check(t, fc, "server.snapshot", SnapshotArgs{Server: launchServerID, Name: "web-1-snap"})
			wantBlock(t, chk, tt.wantBlock)
			if string(chk.Resolved) != `{"server":"`+launchServerID+`","name":"web-1-snap"}` {
				t.Errorf("resolved = %s", chk.Resolved)
			}
		})
	}
}

func TestSnapshotPreviewRunAwaitUndo(t *testing.T) {
	tests := []struct {
		name string
		// reply is Nova's answer: the body from 2.45, or only a Location.
		reply, location string
	}{
		{name: "image ID in the body", reply: `{"image_id": "` + snapID + `"}`},
		{name: "image ID in the Location header", location: "http://glance/v2/images/" + snapID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			want := `{"createImage":{"metadata":{"purpose":"backup"},"name":"web-1-snap"}}`
			fc.HandleFunc("POST", toolstest.ComputePrefix+"/servers/"+launchServerID+"/action", func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				if string(b) != want {
					t.Errorf("body\n got %s\nwant %s", b, want)
				}
				w.Header().Set("X-Openstack-Request-Id", "req-snap")
				if tt.location != "" {
					w.Header().Set("Location", tt.location)
				}
				if tt.reply != "" {
					w.Header().Set("Content-Type", "application/json")
				}
				w.WriteHeader(http.StatusAccepted)
				_, _ = io.WriteString(w, tt.reply)
			})
			fc.Handle("GET", toolstest.ImagePrefix+"/images/"+snapID, http.StatusOK,
				`{"id": "`+snapID+`", "name": "web-1-snap", "status": "saving", "visibility": "private"}`)

			snap := toolstest.Tool(t, Tools(), "server.snapshot")
			env := fc.Env()
			args := tools.JSON(SnapshotArgs{Server: launchServerID, Name: "web-1-snap", Metadata: map[string]string{"purpose": "backup"}})
			chk := &tools.Check{Targets: []tools.Target{{Kind: "server", ID: launchServerID, Name: "web-1"}}}
			pv, err := snap.Preview(cloud.WithReadOnly(t.Context()), env, args, chk)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := servers.CreateImageOpts{Name: "web-1-snap", Metadata: map[string]string{"purpose": "backup"}}.ToServerCreateImageMap()
			wantPv := &tools.Preview{
				Requests: []tools.Request{{Method: "POST", URL: fc.Server.URL + toolstest.ComputePrefix + "/servers/" + launchServerID + "/action", Body: body}},
				Creates:  []string{"image web-1-snap (snapshot of server web-1)"},
			}
			if diff := cmp.Diff(wantPv, pv); diff != "" {
				t.Errorf("preview (-want +got):\n%s", diff)
			}
			if got := jsonOf(t, pv.Requests[0].Body); got != want {
				t.Errorf("wire body %s, want %s", got, want)
			}

			res, err := snap.Run(t.Context(), env, args)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]string{"id": snapID, "name": "web-1-snap"}, res.Outputs); diff != "" {
				t.Errorf("outputs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"req-snap"}, res.RequestIDs); diff != "" {
				t.Errorf("request IDs (-want +got):\n%s", diff)
			}
			aw := res.Await
			if aw == nil || aw.Kind != "image" || aw.ID != snapID || !cmp.Equal(aw.Until, []string{"active"}) || !cmp.Equal(aw.Fail, []string{"killed", "deleted"}) {
				t.Fatalf("await = %+v", aw)
			}
			if status, err := aw.Poll(context.Background(), env); err != nil || status != "saving" {
				t.Errorf("poll = %q, %v", status, err)
			}
			undo := snap.Undo(args, res)
			if undo == nil || undo.Tool != "image.delete" || string(undo.Args) != `{"image":"`+snapID+`"}` {
				t.Errorf("undo = %+v", undo)
			}
		})
	}
}
