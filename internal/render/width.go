package render

import (
	"strings"

	"github.com/clipperhouse/displaywidth"
)

// Display width is measured with displaywidth rather than go-runewidth:
// runewidth builds a multi-megabyte lookup table in its package init,
// which costs tens of milliseconds at every start-up.

// textWidth is the number of terminal cells s occupies on one line.
func textWidth(s string) int { return displaywidth.String(s) }

// blockWidth is the widest line of a possibly multi-line s.
func blockWidth(s string) int {
	if !strings.Contains(s, "\n") {
		return textWidth(s)
	}
	w := 0
	for line := range strings.SplitSeq(s, "\n") {
		w = max(w, textWidth(line))
	}
	return w
}

// wrapText breaks s into lines no wider than width, at spaces where it can
// and between grapheme clusters where it must, so no character or emoji is
// ever split. More than maxLines lines are cut to maxLines, the last one
// ending in "…"; maxLines <= 0 means no limit.
func wrapText(s string, width, maxLines int) []string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		out = wrapLine(out, line, width)
	}
	if maxLines > 0 && len(out) > maxLines {
		out = out[:maxLines]
		out[maxLines-1] = ellipsize(out[maxLines-1], width)
	}
	return out
}

// wrapLine appends the wrapped lines of a single line to out.
func wrapLine(out []string, line string, width int) []string {
	if textWidth(line) <= width {
		return append(out, line)
	}
	var cur strings.Builder
	curW := 0
	flush := func() {
		out = append(out, strings.TrimRight(cur.String(), " "))
		cur.Reset()
		curW = 0
	}
	for word := range strings.SplitSeq(line, " ") {
		ww := textWidth(word)
		sep := 0
		if curW > 0 {
			sep = 1
		}
		if curW+sep+ww <= width {
			if sep == 1 {
				cur.WriteByte(' ')
			}
			cur.WriteString(word)
			curW += sep + ww
			continue
		}
		if curW > 0 {
			flush()
		}
		if ww <= width {
			cur.WriteString(word)
			curW = ww
			continue
		}
		// A word wider than the column: break it between graphemes.
		g := displaywidth.StringGraphemes(word)
		for g.Next() {
			gw := g.Width()
			if curW+gw > width && curW > 0 {
				flush()
			}
			cur.WriteString(g.Value())
			curW += gw
		}
	}
	if curW > 0 || cur.Len() > 0 {
		flush()
	}
	return out
}

// ellipsize marks s as cut: it ends in "…" and fits width.
func ellipsize(s string, width int) string {
	if width <= 1 {
		return "…"
	}
	if textWidth(s)+1 <= width {
		return s + "…"
	}
	return displaywidth.TruncateString(s, width-1, "") + "…"
}

// padRight pads s with spaces to width cells.
func padRight(s string, width int) string {
	if n := width - textWidth(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// padLeft right-aligns s in width cells.
func padLeft(s string, width int) string {
	if n := width - textWidth(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}
