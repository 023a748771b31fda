package browse

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/render"
	"github.com/kriscelmer/os-tui/internal/views"
	"github.com/kriscelmer/os-tui/internal/views/approval"
	"github.com/kriscelmer/os-tui/internal/views/viewstest"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage/backups"
	"github.com/kriscelmer/os-tui/tools/blockstorage/snapshots"
	"github.com/kriscelmer/os-tui/tools/blockstorage/volumes"
	"github.com/kriscelmer/os-tui/tools/blockstorage/volumetypes"
	"github.com/kriscelmer/os-tui/tools/compute/flavors"
	"github.com/kriscelmer/os-tui/tools/compute/keypairs"
	"github.com/kriscelmer/os-tui/tools/compute/servers"
	"github.com/kriscelmer/os-tui/tools/image/images"
	"github.com/kriscelmer/os-tui/tools/network/floatingips"
	"github.com/kriscelmer/os-tui/tools/network/networks"
	"github.com/kriscelmer/os-tui/tools/network/ports"
	"github.com/kriscelmer/os-tui/tools/network/secgroups"
	"github.com/kriscelmer/os-tui/tools/network/subnets"
	"github.com/kriscelmer/os-tui/tools/objectstorage/containers"
	"github.com/kriscelmer/os-tui/tools/objectstorage/objects"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// updating reports -update, the flag teatest's golden package defines
// (this package's goldens share it).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

var at = time.Date(2026, 12, 3, 9, 41, 2, 0, time.UTC)

func TestMain(m *testing.M) {
	// Refresh times are shown in local time; goldens are in UTC.
	time.Local = time.UTC
	os.Exit(m.Run())
}

// registry holds the tool packages the browser's tests lean on (not the
// whole toolset: a package being rewritten elsewhere must not stop these
// tests from building).
func registry(t testing.TB) *tools.Registry {
	t.Helper()
	var list []tools.Tool
	for _, group := range [][]tools.Tool{
		servers.Tools(), volumes.Tools(), snapshots.Tools(), backups.Tools(), volumetypes.Tools(),
		ports.Tools(), networks.Tools(), subnets.Tools(), floatingips.Tools(), secgroups.Tools(),
		containers.Tools(), objects.Tools(), keypairs.Tools(), flavors.Tools(), images.Tools(),
	} {
		list = append(list, group...)
	}
	return toolstest.Registry(t, list)
}

func fake(t testing.TB, servers int) *viewstest.Backend {
	return &viewstest.Backend{
		Reg: registry(t),
		Lists: map[string]*tools.List{
			"server.list": viewstest.Servers(servers),
			"port.list": {Columns: []tools.Column{{Name: "ID"}, {Name: "Name"}, {Name: "Fixed IP Addresses"}, {Name: "Status", Kind: tools.Status}, {Name: "Device Owner"}}, Rows: [][]any{
				{"p-1", "", "ip_address='10.0.0.2', subnet_id='s-1'", "ACTIVE", "compute:nova"},
			}},
			"volume.list": {Columns: []tools.Column{{Name: "ID"}, {Name: "Name"}, {Name: "Status", Kind: tools.Status}, {Name: "Size"}, {Name: "Attached to"}}, Rows: [][]any{
				{"v-1", "data-1", "in-use", 1, []string{"Attached to web-1 on /dev/vdb"}},
				{"v-2", "data-2", "available", 2, []string{}},
			}},
		},
		Records: map[string]*tools.Record{},
	}
}

func newModel(t testing.TB, b views.Backend, color bool, resource string) Model {
	t.Helper()
	d := views.Deps{Backend: b, Ctx: t.Context(), Styles: views.NewStyles(color), Now: func() time.Time { return at }}
	m, err := New(d, Options{Resource: resource})
	if err != nil {
		t.Fatal(err)
	}
	m = step(t, m, tea.WindowSizeMsg{Width: 100, Height: 16})
	return m
}

// step applies msgs; commands are not run (tests feed answers as
// messages), so nothing here waits or ticks.
func step(t testing.TB, m Model, msgs ...tea.Msg) Model {
	t.Helper()
	for _, msg := range msgs {
		nm, _ := m.Update(msg)
		m = nm.(Model)
	}
	return m
}

// loaded answers the top page's read.
func loaded(t testing.TB, m Model, b *viewstest.Backend) Model {
	t.Helper()
	p := m.top()
	res, err := b.Read(t.Context(), p.res.List.Name, p.args)
	return step(t, m, views.ReadMsg{Tag: "list " + p.key(), Tool: p.res.List.Name, Args: p.args, Result: res, Err: err, At: at})
}

func keys(ks ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range ks {
		out = append(out, press(k))
	}
	return out
}

func press(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+a":
		return tea.KeyPressMsg{Code: 'a', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	if r >= 'A' && r <= 'Z' {
		return tea.KeyPressMsg{Code: r + 32, ShiftedCode: r, Mod: tea.ModShift, Text: k}
	}
	return tea.KeyPressMsg{Code: r, Text: k}
}

func typed(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, press(string(r)))
	}
	return out
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.WriteFile(path, []byte(got), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

func TestKeysMatchTheirNames(t *testing.T) {
	for _, k := range []string{"enter", "esc", "down", "tab", "space", "ctrl+a", "/", "S", "x"} {
		if got := press(k).String(); got != k {
			t.Errorf("press(%q) reads as %q", k, got)
		}
	}
}

func TestResourcesComeFromTheRegistry(t *testing.T) {
	rs := Resources(registry(t))
	srv := Find(rs, "servers")
	if srv == nil || srv.List.Name != "server.list" || srv.Show == nil || srv.ShowArg != "server" {
		t.Fatalf("servers: %+v", srv)
	}
	acts := map[string]string{}
	for _, a := range srv.Actions {
		acts[a.Verb] = a.Key
	}
	for verb, k := range map[string]string{"delete": "D", "stop": "S", "start": "T", "reboot": "R"} {
		if acts[verb] != k {
			t.Errorf("server %s is on %q, want %q (all: %v)", verb, acts[verb], k, acts)
		}
	}
	if _, ok := acts["rename"]; ok {
		t.Error("rename needs a name: a key alone cannot start it")
	}
	for name, noun := range map[string]string{"vol": "volume", "floating ip": "floating-ip", "fip": "floating-ip", "sg": "security-group", "volumes": "volume", "net": "network", "snapshots": "volume.snapshot"} {
		if r := Find(rs, name); r == nil || r.Noun != noun {
			t.Errorf("Find(%q) = %v, want %s", name, r, noun)
		}
	}
	if r := Find(rs, "objects"); r == nil || r.Needs != "container" {
		t.Errorf("objects need a container: %+v", r)
	}
	if got := Complete(rs, "serv"); !slices.Equal(got, []string{"servers"}) {
		t.Errorf("Complete(serv) = %v", got)
	}
}

func TestGolden(t *testing.T) {
	for _, color := range []bool{false, true} {
		name := "servers"
		if color {
			name += "-color"
		}
		t.Run(name, func(t *testing.T) {
			b := fake(t, 30)
			m := newModel(t, b, color, "servers")
			golden(t, name+"-loading", m.Content())
			m = loaded(t, m, b)
			m = step(t, m, keys("down", "down", "space", "down")...)
			golden(t, name, m.Content())
			m = step(t, m, keys("d")...)
			golden(t, name+"-detail", m.Content())
			m = step(t, m, keys("?")...)
			golden(t, name+"-help", m.Content())
		})
	}
}

func TestFilterSortColumns(t *testing.T) {
	b := fake(t, 40)
	m := loaded(t, newModel(t, b, false, "servers"), b)
	m = step(t, m, append(keys("/"), typed("web-1")...)...)
	p := m.top()
	if len(p.rows) != 11 { // web-1, web-10 … web-19
		t.Fatalf("filter web-1: %d rows", len(p.rows))
	}
	m = step(t, m, press("enter"))
	if m.mode != modeTable || p.filter != "web-1" {
		t.Fatalf("enter keeps the filter: mode %v filter %q", m.mode, p.filter)
	}
	golden(t, "filtered", m.Content())
	m = step(t, m, press("esc"))
	if p.filter != "" || len(p.rows) != 40 {
		t.Fatalf("esc clears the filter: %q, %d rows", p.filter, len(p.rows))
	}
	// s: sort by ID, then Name, then Status.
	m = step(t, m, keys("s", "s", "s")...)
	if p.sortCol != 2 || p.cells[p.rows[0]][2] != "ACTIVE" || p.cells[p.rows[39]][2] != "SHUTOFF" {
		t.Fatalf("sorted by Status: col %d, first %q last %q", p.sortCol, p.cells[p.rows[0]][2], p.cells[p.rows[39]][2])
	}
	m = step(t, m, press("-"))
	if p.cells[p.rows[0]][2] != "SHUTOFF" {
		t.Fatalf("reversed: first %q", p.cells[p.rows[0]][2])
	}
	// c: the chooser hides ID (first column).
	m = step(t, m, keys("c", "space", "esc")...)
	if !p.hidden[0] || slices.Contains(p.visibleColumns(), 0) {
		t.Fatal("ID still shown")
	}
	if strings.Contains(strings.Split(m.Content(), "\n")[1], "ID") {
		t.Errorf("header still has ID:\n%s", m.Content())
	}
}

func TestRelationsAndBack(t *testing.T) {
	b := fake(t, 3)
	m := loaded(t, newModel(t, b, false, "servers"), b)
	m = step(t, m, keys("down", "enter")...) // web-1
	if m.mode != modeMenu {
		t.Fatalf("enter opens the relations: %v %q", m.mode, m.status)
	}
	var labels []string
	for _, it := range m.menu {
		labels = append(labels, it.label)
	}
	if want := []string{"ports", "networks", "volumes", "floating IPs", "security groups"}; !slices.Equal(labels[:5], want) {
		t.Errorf("relations %v, want %v first", labels, want)
	}
	// ports of web-1: the list tool filters by server.
	m = step(t, m, press("enter"))
	p := m.top()
	if p.res.Noun != "port" || string(p.args) != `{"server":"00000001-0000-4000-8000-000000000001"}` {
		t.Fatalf("ports page: %s %s", p.res.Noun, p.args)
	}
	m = loaded(t, m, b)
	if !strings.Contains(m.Content(), "servers › ports of server web-1") {
		t.Errorf("breadcrumbs:\n%s", m.Content())
	}
	m = step(t, m, press("esc"))
	if len(m.stack) != 1 || m.top().currentKey() != "00000001-0000-4000-8000-000000000001" {
		t.Fatalf("esc walks back to the server: %d pages, cursor on %s", len(m.stack), m.top().currentKey())
	}
	// volumes of web-1: matched on "Attached to" by the browser.
	m = step(t, m, keys("enter", "down", "down", "enter")...)
	m = loaded(t, m, b)
	p = m.top()
	if p.res.Noun != "volume" || len(p.rows) != 1 || p.currentKey() != "v-1" {
		t.Fatalf("volumes of web-1: %s %d rows", p.res.Noun, len(p.rows))
	}
	// volume → server walks back across.
	m = step(t, m, keys("enter", "enter")...)
	m = loaded(t, m, b)
	if p := m.top(); p.res.Noun != "server" || len(p.rows) != 1 || p.cells[p.rows[0]][1] != "web-1" {
		t.Fatalf("server of v-1: %s %d rows", p.res.Noun, len(p.rows))
	}
}

func TestPaletteCompletes(t *testing.T) {
	b := fake(t, 3)
	m := loaded(t, newModel(t, b, false, "servers"), b)
	m = step(t, m, append(keys(":"), typed("vol")...)...)
	m = step(t, m, press("tab"))
	if m.input.Value != "volume" || !slices.Equal(m.matches, []string{"volume backups", "volume snapshots", "volume types", "volumes"}) {
		t.Fatalf("tab completes the common prefix: %q (matches %v)", m.input.Value, m.matches)
	}
	m = step(t, m, press("tab"))
	if m.input.Value != "volume backups" {
		t.Fatalf("tab again steps to the first candidate: %q", m.input.Value)
	}
	m = step(t, m, append(keys("ctrl+u"), typed("volumes")...)...)
	m = step(t, m, press("enter"))
	if p := m.top(); p.res.Noun != "volume" || len(m.stack) != 1 {
		t.Fatalf("palette opened %s", p.res.Noun)
	}
	// From the cache at once when it was read before.
	m = loaded(t, m, b)
	m = step(t, m, append(keys(":"), append(typed("servers"), press("enter"))...)...)
	m = step(t, m, append(keys(":"), append(typed("vols"), press("enter"))...)...)
	if p := m.top(); p.list == nil || len(p.rows) != 2 || !p.loading {
		t.Fatalf("volumes from the cache, refreshing: list %v loading %v", p.list != nil, p.loading)
	}
	m = step(t, m, append(keys(":"), append(typed("nosuch"), press("enter"))...)...)
	if !strings.Contains(m.status, `no resource "nosuch"`) {
		t.Errorf("status %q", m.status)
	}
}

func TestActionPlans(t *testing.T) {
	b := fake(t, 5)
	m := loaded(t, newModel(t, b, false, "servers"), b)
	stop := m.actionOn("S")
	if stop == nil || stop.Tool.Name != "server.stop" {
		t.Fatalf("S is %+v", stop)
	}
	// The row under the cursor alone.
	pl := m.actionPlan(stop)
	if len(pl.Steps) != 1 || string(pl.Steps[0].Args) != `{"server":"00000000-0000-4000-8000-000000000000"}` || pl.Origin != "slash" {
		t.Fatalf("one step: %+v", pl)
	}
	// Marked rows, one plan of as many steps.
	m = step(t, m, keys("space", "down", "space")...)
	pl = m.actionPlan(stop)
	var ids []string
	for _, s := range pl.Steps {
		ids = append(ids, s.ID)
	}
	if !slices.Equal(ids, []string{"stop-1", "stop-2"}) {
		t.Fatalf("bulk plan steps %v", ids)
	}
	// ctrl+a clears, then marks every row shown.
	m = step(t, m, press("ctrl+a"))
	if len(m.top().marked) != 0 {
		t.Fatal("ctrl+a with marks clears them")
	}
	m = step(t, m, press("ctrl+a"))
	if len(m.actionPlan(stop).Steps) != 5 {
		t.Fatal("ctrl+a marks all")
	}
}

func TestReadOnly(t *testing.T) {
	b := fake(t, 3)
	b.RO = true
	m := loaded(t, newModel(t, b, false, "servers"), b)
	if !strings.Contains(strings.Split(m.Content(), "\n")[0], "READ-ONLY") {
		t.Errorf("no read-only marker:\n%s", m.Content())
	}
	nm, cmd := m.Update(press("S"))
	m = nm.(Model)
	if cmd != nil || !strings.Contains(m.status, "read-only") {
		t.Errorf("S under --read-only: cmd %v, status %q", cmd != nil, m.status)
	}
	if strings.Contains(m.Content(), "S stop") {
		t.Error("the help bar offers stop under --read-only")
	}
}

func TestCloudTextIsEscaped(t *testing.T) {
	b := fake(t, 1)
	b.Lists["server.list"].Rows[0][1] = "evil\x1b]0;pwned\x07name"
	m := loaded(t, newModel(t, b, false, "servers"), b)
	if c := m.Content(); strings.Contains(c, "\x1b]0") || strings.Contains(c, "\x07") {
		t.Errorf("a control sequence reached the screen: %q", c)
	}
}

func TestActionGoesThroughReview(t *testing.T) {
	b := fake(t, 3)
	m := loaded(t, newModel(t, b, false, "servers"), b)
	pl := m.actionPlan(m.actionOn("S"))
	// What the engine asks arrives as a request; the review opens.
	ap := approval.NewApprover()
	done := make(chan *session.Outcome, 1)
	go func() {
		out, _ := b.Submit(t.Context(), pl, ap)
		done <- out
	}()
	req := ap.Next()().(approval.RequestMsg)
	m = step(t, m, req)
	if m.review == nil {
		t.Fatal("no review")
	}
	golden(t, "review-in-browser", m.Content())
	nm, cmd := m.Update(press("y"))
	m = nm.(Model)
	decided := cmd().(approval.DecidedMsg)
	nm, _ = m.Update(decided)
	m = nm.(Model)
	if out := <-done; out.Status != session.StatusOK {
		t.Fatalf("outcome %+v", out)
	}
	if m.review != nil {
		t.Error("the review stays open")
	}
	var args []map[string]string
	for _, p := range b.Plans() {
		for _, s := range p.Steps {
			var a map[string]string
			_ = json.Unmarshal(s.Args, &a)
			args = append(args, a)
		}
	}
	if diff := cmp.Diff([]map[string]string{{"server": "00000000-0000-4000-8000-000000000000"}}, args); diff != "" {
		t.Error(diff)
	}
}

// TestSortMatchesTables: the browser orders cells as --sort does.
func TestSortMatchesTables(t *testing.T) {
	vals := []any{"b", nil, 10, "A", 2.5, "", "a", 3, []string{"x"}, true}
	for _, a := range vals {
		for _, b := range vals {
			want := render.CompareValues(a, b)
			got := keyOf(a).compare(keyOf(b))
			if (want < 0) != (got < 0) || (want > 0) != (got > 0) {
				t.Errorf("compare(%v, %v) = %d, tables say %d", a, b, got, want)
			}
		}
	}
}

// TestRelationWaitsForTheRecord: a port's network is in its show
// record, not its row; Enter → network reads the record, then follows.
func TestRelationWaitsForTheRecord(t *testing.T) {
	b := fake(t, 1)
	b.Lists["network.list"] = &tools.List{Columns: []tools.Column{{Name: "ID"}, {Name: "Name"}}, Rows: [][]any{{"n-1", "private"}, {"n-2", "public"}}}
	m := loaded(t, newModel(t, b, false, "ports"), b)
	m = step(t, m, keys("enter")...)
	if m.mode != modeMenu || m.menu[0].label != "network" {
		t.Fatalf("menu %v", m.menu)
	}
	nm, cmd := m.Update(press("enter"))
	m = nm.(Model)
	if cmd == nil || m.pendingRel == "" || len(m.stack) != 1 {
		t.Fatalf("the record is read first: pending %q, %d pages", m.pendingRel, len(m.stack))
	}
	rec := &tools.Record{Fields: []tools.Field{{Name: "id", Value: "p-1"}, {Name: "network_id", Value: "n-1"}}}
	m = step(t, m, views.ReadMsg{Tag: "show " + m.pendingRel, Result: &tools.Result{Record: rec}, At: at})
	m = loaded(t, m, b)
	if p := m.top(); p.res.Noun != "network" || len(p.rows) != 1 || p.currentKey() != "n-1" {
		t.Fatalf("network of the port: %s %d rows", p.res.Noun, len(p.rows))
	}
}

// TestDetailFollowsTheCursor: the pane shows the row at once, then the
// record read for it, and scrolls.
func TestDetailFollowsTheCursor(t *testing.T) {
	b := fake(t, 3)
	m := loaded(t, newModel(t, b, false, "servers"), b)
	nm, cmd := m.Update(press("d"))
	m = nm.(Model)
	if cmd == nil || !strings.Contains(m.Content(), "reading the rest") {
		t.Fatalf("the row shows while the record is read:\n%s", m.Content())
	}
	var fields []tools.Field
	for i := range 40 {
		fields = append(fields, tools.Field{Name: "field" + strconv.Itoa(i), Value: i})
	}
	m = step(t, m, views.ReadMsg{Tag: "show " + m.detailKey(), Result: &tools.Result{Record: &tools.Record{Fields: fields}}, At: at})
	if c := m.Content(); !strings.Contains(c, "field0 ") || strings.Contains(c, "reading the rest") {
		t.Fatalf("the record replaces the row:\n%s", c)
	}
	m = step(t, m, tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl})
	if c := m.Content(); strings.Contains(c, "field0 ") || !strings.Contains(c, "field7 ") {
		t.Errorf("ctrl+d scrolls the record:\n%s", c)
	}
}
