package images

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// With a page sink in the context (the inventory export), image.list
// hands each of Glance's pages over as it arrives and gathers nothing:
// the result has the columns and no rows, and the rows are those of the
// ordinary list, in Glance's (name) order.
func TestListStreamsPages(t *testing.T) {
	fc := toolstest.New(t)
	requests := 0
	fc.HandleFunc("GET", toolstest.ImagePrefix+"/images", func(w http.ResponseWriter, r *http.Request) {
		requests++
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("marker") == debianID {
			fmt.Fprintf(w, `{"images": [%s]}`, queuedJSON)
			return
		}
		fmt.Fprintf(w, `{"images": [%s, %s], "next": "/v2/images?marker=%s&sort=name%%3Aasc"}`, cirrosJSON, debianJSON, debianID)
	})
	env := fc.Env()
	tl := toolstest.Tool(t, Tools(), "image.list")
	raw, _ := json.Marshal(ListArgs{})

	plain, err := tl.Run(t.Context(), env, raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain.List.Rows) != 3 {
		t.Fatalf("the ordinary list has %d rows, want 3", len(plain.List.Rows))
	}

	var pages [][][]any
	var cols []tools.Column
	ctx := tools.WithPageSink(t.Context(), func(c []tools.Column, rows [][]any) error {
		cols = c
		pages = append(pages, rows)
		return nil
	})
	res, err := tl.Run(ctx, env, raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 || len(pages[0]) != 2 || len(pages[1]) != 1 {
		t.Fatalf("pages of %v rows, want one page per Glance page (2, 1)", pageSizes(pages))
	}
	if d := cmp.Diff(plain.List.Rows, append(pages[0], pages[1]...)); d != "" {
		t.Errorf("streamed rows differ from the ordinary list (-plain +streamed):\n%s", d)
	}
	if len(res.List.Rows) != 0 {
		t.Errorf("streamed result kept %d rows", len(res.List.Rows))
	}
	if d := cmp.Diff(plain.List.Columns, res.List.Columns); d != "" || len(cols) != len(plain.List.Columns) {
		t.Errorf("columns: result (-plain +streamed):\n%s; sink saw %d", d, len(cols))
	}

	// a limit stops inside a page, so it is kept by gathering, as before
	pages = nil
	res, err = tl.Run(ctx, env, json.RawMessage(`{"limit": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.List.Rows) != 1 || len(pages) != 0 {
		t.Errorf("with a limit: %d rows, %d pages streamed", len(res.List.Rows), len(pages))
	}

	// a sink that fails stops the paging: Glance is not asked for more
	requests = 0
	full := errors.New("disk full")
	ctx = tools.WithPageSink(t.Context(), func([]tools.Column, [][]any) error { return full })
	if _, err := tl.Run(ctx, env, raw); !errors.Is(err, full) {
		t.Errorf("err = %v, want the sink's", err)
	}
	if requests != 1 {
		t.Errorf("Glance was asked %d times after the sink failed, want 1", requests)
	}
}

func pageSizes(pages [][][]any) []int {
	out := make([]int, len(pages))
	for i, p := range pages {
		out[i] = len(p)
	}
	return out
}
