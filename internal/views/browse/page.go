package browse

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/kriscelmer/os-tui/internal/render"
	"github.com/kriscelmer/os-tui/internal/views"
	"github.com/kriscelmer/os-tui/tools"
)

// maxColumnWidth caps a column's natural width: one long description
// must not push every other column off the screen.
const maxColumnWidth = 40

// page is one list on the browser's stack: a kind, the arguments of its
// list tool, an optional filter a relation adds, and what the person did
// to it (cursor, filter, sort, columns, marks).
type page struct {
	res   *Resource
	args  tools.Args
	title string
	// match keeps the rows a relation leads to when the list tool cannot
	// filter by it (the volumes attached to a server); nil keeps all.
	match func(row rowText) bool

	list   *tools.List
	cells  [][]string // escaped text of each cell
	hay    []string   // each row's text, lower-cased, for the filter
	keys   []string   // each row's key (ID, else name)
	widths []int      // each column's natural width
	base   []int      // rows match keeps, in the list's order
	order  []int      // base, sorted
	rows   []int      // order, filtered: what the table shows
	idCol  int        // the column that identifies a row (ID, else Name)

	cursor, top int
	left        int // first column shown (horizontal scroll)
	filter      string
	sortCol     int // -1: the list's own order
	desc        bool
	hidden      []bool
	marked      map[string]bool // row keys marked for a bulk action

	at      time.Time // when the list was read
	loading bool
	err     error
}

// rowText reads one row's cells by column name.
type rowText func(column string) string

func newPage(res *Resource, args tools.Args, title string) *page {
	if len(args) == 0 {
		args = tools.Args("{}")
	}
	return &page{res: res, args: args, title: title, sortCol: -1, marked: map[string]bool{}}
}

// key names the list read: the same tool and arguments share a cache
// entry.
func (p *page) key() string { return p.res.List.Name + " " + string(p.args) }

// setList takes a fresh answer, keeping the cursor on the same resource
// and the person's filter, sort and columns.
func (p *page) setList(d views.Deps, l *tools.List, at time.Time) {
	keep := p.currentKey()
	sameCols := p.list != nil && slices.EqualFunc(p.list.Columns, l.Columns, func(a, b tools.Column) bool { return a.Name == b.Name })
	p.list, p.at, p.err = l, at, nil
	p.cells = make([][]string, len(l.Rows))
	p.hay = make([]string, len(l.Rows))
	p.widths = make([]int, len(l.Columns))
	for c, col := range l.Columns {
		p.widths[c] = textWidth(col.Name)
	}
	// One backing array for every row's cells: ten thousand rows are
	// one allocation, not ten thousand.
	all := make([]string, len(l.Rows)*len(l.Columns))
	var hay []byte
	for r, row := range l.Rows {
		cells := all[r*len(l.Columns) : (r+1)*len(l.Columns) : (r+1)*len(l.Columns)]
		hay = hay[:0]
		for c := range l.Columns {
			var v any
			if c < len(row) {
				v = row[c]
			}
			s := d.Text(l.Columns[c].Name, render.CellText(v))
			cells[c] = s
			if w := textWidth(s); w > p.widths[c] {
				p.widths[c] = min(w, maxColumnWidth)
			}
			hay = appendLower(hay, s)
			hay = append(hay, 0)
		}
		p.cells[r] = cells
		p.hay[r] = string(hay)
	}
	if !sameCols {
		p.hidden = make([]bool, len(l.Columns))
		for c, col := range l.Columns {
			p.hidden[c] = col.Long
		}
		p.sortCol, p.left = -1, 0
	}
	p.idCol = columnIndex(l.Columns, "ID")
	if p.idCol < 0 {
		p.idCol = columnIndex(l.Columns, "Name")
	}
	if p.idCol < 0 {
		p.idCol = 0
	}
	p.keys = make([]string, len(l.Rows))
	for r, row := range l.Rows {
		if p.idCol < len(row) {
			p.keys[r] = render.CellText(row[p.idCol])
		}
	}
	p.base = p.base[:0]
	for r := range l.Rows {
		if p.match == nil || p.match(p.rowText(r)) {
			p.base = append(p.base, r)
		}
	}
	p.resort()
	p.refilter()
	if keep != "" {
		for i, r := range p.rows {
			if p.rowKey(r) == keep {
				p.cursor = i
				break
			}
		}
	}
	// Marks on rows that are gone are dropped: a bulk action acts on
	// what the person sees.
	for k := range p.marked {
		if !slices.ContainsFunc(p.base, func(r int) bool { return p.rowKey(r) == k }) {
			delete(p.marked, k)
		}
	}
	p.clamp(0)
}

func columnIndex(cols []tools.Column, name string) int {
	return slices.IndexFunc(cols, func(c tools.Column) bool { return c.Name == name })
}

// rowText reads row r's cells by column name (unescaped: relations
// compare IDs and names, which the cloud gave).
func (p *page) rowText(r int) rowText {
	return func(column string) string {
		c := columnIndex(p.list.Columns, column)
		if c < 0 || c >= len(p.list.Rows[r]) {
			return ""
		}
		return render.CellText(p.list.Rows[r][c])
	}
}

// rowKey identifies row r (its ID or name) for marks and the cursor.
func (p *page) rowKey(r int) string {
	if r < 0 || r >= len(p.keys) {
		return ""
	}
	return p.keys[r]
}

// current is the row under the cursor, or -1.
func (p *page) current() int {
	if p.cursor < 0 || p.cursor >= len(p.rows) {
		return -1
	}
	return p.rows[p.cursor]
}

func (p *page) currentKey() string {
	if p.list == nil {
		return ""
	}
	return p.rowKey(p.current())
}

// resort orders base by the sort column (stable: equal cells keep the
// list's order).
func (p *page) resort() {
	p.order = append(p.order[:0], p.base...)
	if p.sortCol < 0 || p.list == nil {
		return
	}
	// Keys are made once per row, so ten thousand rows sort without
	// lower-casing a cell per comparison; they order as --sort does.
	c := p.sortCol
	keys := make([]sortKey, len(p.list.Rows))
	for _, r := range p.order {
		var v any
		if c < len(p.list.Rows[r]) {
			v = p.list.Rows[r][c]
		}
		keys[r] = keyOf(v)
	}
	slices.SortStableFunc(p.order, func(a, b int) int {
		n := keys[a].compare(keys[b])
		if p.desc {
			return -n
		}
		return n
	})
}

// refilter keeps the sorted rows whose text holds the filter (any
// column, case-insensitively).
func (p *page) refilter() {
	keep := p.currentKey()
	q := strings.ToLower(p.filter)
	p.rows = p.rows[:0]
	for _, r := range p.order {
		if q == "" || strings.Contains(p.hay[r], q) {
			p.rows = append(p.rows, r)
		}
	}
	p.cursor = 0
	for i, r := range p.rows {
		if keep != "" && p.rowKey(r) == keep {
			p.cursor = i
			break
		}
	}
}

// clamp keeps the cursor on a row and in the window of height h (0: the
// window is not known yet).
func (p *page) clamp(h int) {
	p.cursor = min(max(p.cursor, 0), max(len(p.rows)-1, 0))
	if h <= 0 {
		return
	}
	if p.cursor < p.top {
		p.top = p.cursor
	}
	if p.cursor >= p.top+h {
		p.top = p.cursor - h + 1
	}
	p.top = min(max(p.top, 0), max(len(p.rows)-h, 0))
}

// visibleColumns are the columns not hidden, in order.
func (p *page) visibleColumns() []int {
	var out []int
	if p.list == nil {
		return out
	}
	for c := range p.list.Columns {
		if !p.hidden[c] {
			out = append(out, c)
		}
	}
	return out
}

// layout picks the columns that fit in width, from the left-most the
// person scrolled to, and their widths.
func (p *page) layout(width int) (cols, widths []int) {
	vis := p.visibleColumns()
	if p.left >= len(vis) {
		p.left = max(len(vis)-1, 0)
	}
	used := 2 // the mark column
	for _, c := range vis[min(p.left, len(vis)):] {
		w := p.widths[c]
		if used+w > width {
			if rest := width - used; rest >= 6 {
				cols, widths = append(cols, c), append(widths, rest)
			}
			break
		}
		cols, widths = append(cols, c), append(widths, w)
		used += w + 2
	}
	return cols, widths
}

// sortKey is a cell as the sort sees it: empty first, then numbers by
// value, then text case-insensitively (render.CompareValues' order).
type sortKey struct {
	rank int // 0 empty, 1 number, 2 text
	num  float64
	text string
}

func keyOf(v any) sortKey {
	switch n := v.(type) {
	case nil:
		return sortKey{}
	case int:
		return sortKey{rank: 1, num: float64(n)}
	case int64:
		return sortKey{rank: 1, num: float64(n)}
	case int32:
		return sortKey{rank: 1, num: float64(n)}
	case float64:
		return sortKey{rank: 1, num: n}
	case float32:
		return sortKey{rank: 1, num: float64(n)}
	case uint64:
		return sortKey{rank: 1, num: float64(n)}
	}
	return sortKey{rank: 2, text: strings.ToLower(render.CellText(v))}
}

func (a sortKey) compare(b sortKey) int {
	switch {
	case a.rank != b.rank:
		return cmp.Compare(a.rank, b.rank)
	case a.rank == 1:
		return cmp.Compare(a.num, b.num)
	}
	return strings.Compare(a.text, b.text)
}

// appendLower appends s lower-cased (ASCII at once, the rest through
// strings.ToLower).
func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return append(b, strings.ToLower(s[i:])...)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// textWidth is s's width in cells; ASCII, the common case, is counted
// without decoding.
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// cell pads or cuts s to exactly w cells.
func cell(s string, w int) string {
	n := textWidth(s)
	switch {
	case n == w:
		return s
	case n < w:
		return s + strings.Repeat(" ", w-n)
	}
	return ansi.Truncate(s, w, "…")
}
