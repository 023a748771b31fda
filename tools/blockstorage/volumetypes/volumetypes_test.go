package volumetypes

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/blockstorage/cindertest"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestListShow(t *testing.T) {
	fc := toolstest.New(t)
	c := cindertest.New(t, fc)
	c.AddType(cindertest.Object{"id": "type-big", "name": "big", "is_public": false, "description": "large volumes",
		"extra_specs": cindertest.Object{"provisioning:min_vol_size": "10", "provisioning:max_vol_size": "100"}})
	res, err := toolstest.Run(t, fc.Env(), Tools(), "volume.type.list", ListArgs{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{
		{"type-default", "__DEFAULT__", true, true, "", map[string]string{}},
		{"type-big", "big", false, false, "large volumes", map[string]string{"provisioning:max_vol_size": "100", "provisioning:min_vol_size": "10"}},
	}
	// The list is by name: "__DEFAULT__" sorts before "big".
	if diff := cmp.Diff(want, res.List.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	res, err = toolstest.Run(t, fc.Env(), Tools(), "volume.type.show", ShowArgs{Type: "big"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Record.Get("id") != "type-big" || res.Record.Get("size_range_gib") != "10-100" {
		t.Errorf("record = %+v", res.Record)
	}
	_, err = toolstest.Run(t, fc.Env(), Tools(), "volume.type.show", ShowArgs{Type: "gold"})
	if err == nil || err.Error() != "there is no volume type gold; this cloud's types are: __DEFAULT__, big (see /volume type list)" {
		t.Errorf("err = %v", err)
	}
}
