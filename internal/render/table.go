package render

import (
	"io"
	"strings"

	"github.com/kriscelmer/os-tui/internal/iostreams"
)

const (
	// minColumnWidth is the narrowest a column is squeezed to when fitting
	// a table to a terminal that has room for it; narrower is hard to read.
	minColumnWidth = 6
	// tightColumnWidth is the floor when the terminal is too narrow even
	// for minColumnWidth: two cells still hold any character, wide CJK ones
	// included, so rows stay aligned.
	tightColumnWidth = 2
	// maxListCellLines caps how tall one wrapped list cell may get on a
	// terminal, so a long value cannot turn one row into a screenful.
	maxListCellLines = 3
)

// table is text laid out in the openstack CLI's box style:
//
//	+----+------+
//	| ID | Name |
//	+----+------+
//	| 1  | vm1  |
//	+----+------+
type table struct {
	headers []string
	rows    [][]string
	// status reports whether the cell at row r, column c holds a status
	// to colour; nil means none does.
	status func(r, c int) bool
	// right marks numeric columns, which are right-aligned.
	right []bool
	// maxLines caps wrapped cells; 0 means no cap.
	maxLines int
}

// layout holds what fitting decided for one rendering.
type layout struct {
	widths []int
	fit    bool
	cs     *iostreams.ColorScheme
}

// write renders t to w. On a terminal the table is fitted to its width;
// otherwise columns take their natural width so piped output loses
// nothing.
func (t *table) write(w io.Writer, ios *iostreams.IOStreams, noHeaders bool) error {
	natural := make([]int, len(t.headers))
	if !noHeaders {
		for i, h := range t.headers {
			natural[i] = blockWidth(h)
		}
	}
	cellW := make([][]int, len(t.rows))
	for r, row := range t.rows {
		cellW[r] = make([]int, len(row))
		for i, c := range row {
			cw := blockWidth(c)
			cellW[r][i] = cw
			natural[i] = max(natural[i], cw)
		}
	}
	lay := layout{widths: natural, cs: ios.ColorScheme()}
	if ios.IsStdoutTTY() {
		lay.widths = fitWidths(natural, ios.TerminalWidth())
		lay.fit = true
	}

	var b strings.Builder
	border := borderLine(lay.widths)
	b.WriteString(border)
	if !noHeaders {
		t.writeRow(&b, -1, t.headers, nil, lay)
		b.WriteString(border)
	}
	for r, row := range t.rows {
		t.writeRow(&b, r, row, cellW[r], lay)
	}
	if len(t.rows) > 0 || noHeaders {
		b.WriteString(border)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func borderLine(widths []int) string {
	var b strings.Builder
	b.WriteByte('+')
	for _, w := range widths {
		b.WriteString(strings.Repeat("-", w+2))
		b.WriteByte('+')
	}
	b.WriteByte('\n')
	return b.String()
}

// writeRow writes one table row, which may span several lines when cells
// wrap or hold newlines. r is the row index, -1 for the header; cellW, if
// given, caches each cell's width.
func (t *table) writeRow(b *strings.Builder, r int, cells []string, cellW []int, lay layout) {
	header := r < 0
	lines := make([][]string, len(lay.widths))
	height := 1
	for i, w := range lay.widths {
		text := ""
		if i < len(cells) {
			text = cells[i]
		}
		cw := -1
		if cellW != nil && i < len(cellW) {
			cw = cellW[i]
		}
		switch {
		case !strings.Contains(text, "\n") && (!lay.fit || cw >= 0 && cw <= w):
			lines[i] = []string{text}
		case lay.fit:
			maxLines := t.maxLines
			if header {
				maxLines = 0
			}
			lines[i] = wrapText(text, w, maxLines)
		default:
			lines[i] = strings.Split(text, "\n")
		}
		height = max(height, len(lines[i]))
	}
	for l := range height {
		b.WriteByte('|')
		for i, w := range lay.widths {
			text := ""
			if l < len(lines[i]) {
				text = lines[i][l]
			}
			b.WriteByte(' ')
			var cell string
			if !header && t.right[i] {
				cell = padLeft(text, w)
			} else {
				cell = padRight(text, w)
			}
			b.WriteString(t.decorate(cell, text, r, i, lay.cs))
			b.WriteString(" |")
		}
		b.WriteByte('\n')
	}
}

// decorate colours a padded cell. Only the text is coloured, not the
// padding, so underlines or backgrounds in other themes stay tidy.
func (t *table) decorate(padded, text string, row, col int, cs *iostreams.ColorScheme) string {
	if !cs.Enabled() || text == "" {
		return padded
	}
	header := row < 0
	pad := padded[len(text):]
	lead := ""
	if !header && t.right[col] {
		lead, pad = padded[:len(padded)-len(text)], ""
	}
	switch {
	case header:
		return lead + cs.Bold(text) + pad
	case t.status != nil && t.status(row, col):
		// A wrapped status is judged by its whole value, not by the
		// fragment on this line.
		return lead + colorStatus(cs, toneOf(t.rows[row][col]), text) + pad
	}
	return padded
}

// fitWidths shrinks column widths so the table fits total cells. The
// widest columns give way first: every column is capped at the largest
// width c for which the table fits. Columns keep minColumnWidth while the
// terminal allows, then shrink evenly to tightColumnWidth; only a table
// with more columns than a terminal can show at all overflows.
func fitWidths(natural []int, total int) []int {
	n := len(natural)
	if n == 0 {
		return natural
	}
	avail := total - (3*n + 1) // "| " + " | " between + " |"
	sum, widest := 0, 0
	for _, w := range natural {
		sum += w
		widest = max(widest, w)
	}
	if sum <= avail {
		return natural
	}
	least := max(tightColumnWidth, min(minColumnWidth, avail/n))
	floor := func(i int) int { return min(natural[i], least) }
	used := func(c int) int {
		s := 0
		for i, w := range natural {
			s += max(floor(i), min(w, c))
		}
		return s
	}
	// Largest cap that fits, by binary search over [0, widest].
	lo, hi := 0, widest
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if used(mid) <= avail {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	widths := make([]int, n)
	for i, w := range natural {
		widths[i] = max(floor(i), min(w, lo))
	}
	// Hand out what the cap left over, one cell per capped column.
	left := avail - used(lo)
	for i := 0; i < n && left > 0; i++ {
		if widths[i] < natural[i] {
			widths[i]++
			left--
		}
	}
	return widths
}
