package repl

import "slices"

// autoCompleter adapts a Completer to readline's AutoCompleter, which wants
// the text to insert after the cursor rather than whole words. Given suffixes
// readline completes the common prefix on Tab and lists the candidates when
// they still differ.
type autoCompleter struct {
	c Completer
}

// Do implements readline.AutoCompleter.
func (a autoCompleter) Do(line []rune, pos int) ([][]rune, int) {
	cands, replace := a.c.Complete(string(line), pos)
	return suffixes(line, pos, cands, replace)
}

// suffixes turns whole-word candidates replacing the replace runes before pos
// into the parts still to be typed. readline can only insert at the cursor,
// so candidates that do not extend what is already typed are dropped, and so
// are repeats (a list showing the same word twice only confuses).
func suffixes(line []rune, pos int, cands []string, replace int) ([][]rune, int) {
	pos = min(max(pos, 0), len(line))
	replace = min(max(replace, 0), pos)
	typed := line[pos-replace : pos]

	var out [][]rune
	for _, c := range cands {
		r := []rune(c)
		if len(r) < len(typed) || !slices.Equal(r[:len(typed)], typed) {
			continue
		}
		rest := r[len(typed):]
		if slices.ContainsFunc(out, func(s []rune) bool { return slices.Equal(s, rest) }) {
			continue
		}
		out = append(out, rest)
	}
	return out, replace
}
