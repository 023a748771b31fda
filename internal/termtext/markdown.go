package termtext

import (
	"strings"
)

// markdownSpecial are the characters that mean something inside a line of
// markdown: emphasis, code, links, raw HTML, headings, tables,
// strikethrough, and '&', which starts a character reference: glamour
// would turn "&#27;" into a real ESC after every control had been
// escaped. '&' is written as "&amp;", not "\&": goldmark, under glamour,
// still decodes the reference after a backslash. '~' is written as
// "&#126;": glamour prints the backslash of "\~".
const markdownSpecial = "\\`*_[]<>#|&~"

// Markdown is Safe for text placed inside a line of markdown that is
// rendered (by glamour) before it reaches the terminal: besides the
// escapes of Safe, every character with inline meaning gets a backslash,
// so a name such as "**ok** [x](http://…)" reads as written, and a
// leading list, heading or rule marker ("-", "+", "=", "1.") is escaped
// so the text cannot start a block of its own. Text rendered without a
// markdown renderer wants Safe instead: the backslashes would show.
// Inside a code span backslashes do not escape; use MarkdownCode there.
func Markdown(s string) string {
	s = Safe(s)
	lead := leadingMarker(s)
	if lead < 0 && !strings.ContainsAny(s, markdownSpecial) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '&':
			b.WriteString("&amp;")
			continue
		case c == '~':
			// Glamour shows "\~" as written, backslash and all; as a
			// character reference the tilde reads as itself and still
			// opens no strikethrough.
			b.WriteString("&#126;")
			continue
		case i == lead || strings.IndexByte(markdownSpecial, c) >= 0:
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// leadingMarker is the offset of the character that would make s, at the
// start of a line, a list item, setext underline or thematic break
// ("- x", "+ x", "===", "1. x", "2) x"), or -1.
func leadingMarker(s string) int {
	if s == "" {
		return -1
	}
	switch s[0] {
	case '-', '+', '=':
		return 0
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') {
		return i
	}
	return -1
}

// MarkdownCode returns s as a markdown code span that s cannot end early:
// the fence is one backtick longer than the longest run of backticks in
// s, and padded with spaces when s starts or ends with one (CommonMark
// strips one space from each side). Controls are escaped as by Safe, and
// '&' is written "&amp;" (glamour decodes character references even in
// a code span, which CommonMark does not).
func MarkdownCode(s string) string {
	s = Safe(s)
	if strings.Contains(s, "&") {
		// CommonMark leaves references in a code span alone; glamour
		// decodes them, so "&#27;" would come out as ESC.
		s = strings.ReplaceAll(s, "&", "&amp;")
	}
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") && strings.TrimSpace(s) != "" {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
