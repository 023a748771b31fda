package servers

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// With a page sink in the context (the inventory export), server.list
// hands each of Nova's pages over as it arrives and gathers nothing:
// the result has the columns and no rows, and the rows are those of the
// ordinary list, in Nova's order.
func TestListStreamsPages(t *testing.T) {
	fc := toolstest.New(t)
	fc.HandleFunc("GET", toolstest.ComputePrefix+"/servers/detail", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("marker") == "" {
			next := fc.Server.URL + toolstest.ComputePrefix + "/servers/detail?marker=" + web2ID
			jsonBody(w, `{"servers": [`+web1JSON+`, `+web2JSON+`], "servers_links": [{"rel": "next", "href": "`+next+`"}]}`)
			return
		}
		jsonBody(w, `{"servers": [`+dbJSON+`]}`)
	})
	fc.Handle("GET", toolstest.ImagePrefix+"/images", http.StatusOK, imagesBody)
	env := fc.Env()
	var pages [][]string
	var cols []tools.Column
	ctx := tools.WithPageSink(t.Context(), func(c []tools.Column, rows [][]any) error {
		cols = c
		var names []string
		for _, r := range rows {
			names = append(names, r[1].(string))
		}
		pages = append(pages, names)
		return nil
	})
	tl := toolstest.Tool(t, Tools(), "server.list")
	raw, _ := json.Marshal(ListArgs{})
	res, err := tl.Run(ctx, env, raw)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([][]string{{"web-1", "web-2"}, {"db-1"}}, pages); d != "" {
		t.Errorf("pages (-want +got):\n%s", d)
	}
	if len(res.List.Rows) != 0 || len(res.List.Columns) != 13 || len(cols) != 13 {
		t.Errorf("streamed result has %d rows, %d columns (sink saw %d)", len(res.List.Rows), len(res.List.Columns), len(cols))
	}
	// a limit is kept by gathering, as before
	res, err = tl.Run(ctx, env, json.RawMessage(`{"limit": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.List.Rows) != 1 || len(pages) != 2 {
		t.Errorf("with a limit: %d rows, %d pages streamed", len(res.List.Rows), len(pages))
	}
}
