package router

import (
	"sort"
	"strings"
)

// distance is the Levenshtein edit distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// closest returns up to n candidates within a small edit distance of word,
// nearest first. The threshold grows with the word so that "sever" finds
// "server" but "x" does not find everything.
func closest(word string, candidates []string, n int) []string {
	type scored struct {
		s string
		d int
	}
	limit := 1 + len([]rune(word))/3
	var out []scored
	for _, c := range candidates {
		d := distance(word, c)
		if d <= limit {
			out = append(out, scored{c, d})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].d != out[j].d {
			return out[i].d < out[j].d
		}
		return out[i].s < out[j].s
	})
	// Only the nearest tier: "/sever list" should suggest /server list,
	// not every other list command three edits away.
	var res []string
	for i := 0; i < len(out) && i < n && out[i].d == out[0].d; i++ {
		res = append(res, out[i].s)
	}
	return res
}

// closestWords is closest for commands of several words: each candidate
// ("floating ip list") is compared with as many typed words as it has, so
// that arguments after a mistyped command do not count against it.
// Candidates longer than what was typed are not offered.
func closestWords(typed []string, candidates []string, n int) []string {
	type scored struct {
		s string
		d int
	}
	var out []scored
	for _, c := range candidates {
		m := len(strings.Fields(c))
		if m > len(typed) {
			continue
		}
		t := strings.Join(typed[:m], " ")
		if d := distance(t, c); d <= 1+len([]rune(t))/3 {
			out = append(out, scored{c, d})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].d != out[j].d {
			return out[i].d < out[j].d
		}
		return out[i].s < out[j].s
	})
	var res []string
	for i := 0; i < len(out) && len(res) < n && out[i].d == out[0].d; i++ {
		if i > 0 && out[i].s == out[i-1].s {
			continue
		}
		res = append(res, out[i].s)
	}
	return res
}

// Closest returns up to n of candidates nearest to word by edit distance
// (only the nearest tier, and only within a distance that grows with the
// word), for "did you mean" hints outside the slash parser: ostui's own
// command-line flags, subcommands.
func Closest(word string, candidates []string, n int) []string {
	return closest(word, candidates, n)
}
