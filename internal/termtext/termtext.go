// Package termtext makes text the program did not write — resource names,
// fault messages and console logs from the cloud, a model's answer — safe
// to print on a terminal.
//
// A terminal acts on some characters instead of showing them: ESC and the
// other C0 controls start sequences that recolour, retitle, move the
// cursor, rewrite the clipboard or (on some terminals) answer back with
// typed input; the C1 controls U+0080–U+009F do the same in one
// character (U+009B is an 8-bit CSI), and a terminal not in UTF-8 mode
// reads the raw bytes 0x80–0x9f as C1 too. Bidirectional overrides and
// isolates (U+202A–U+202E, U+2066–U+2069) make a terminal with bidi
// support show characters in an order other than the order they are in,
// so "web-1" could be shown while another name is what gets acted on
// (the "Trojan Source" trick). Every one of them is shown escaped here,
// as \xNN or \uNNNN, so a person sees that it is there and what it is.
//
// One package holds this on purpose: five copies of it once drifted apart,
// each missing a different case. TestNoRivalEscapers fails when a new copy
// appears elsewhere.
package termtext

import (
	"strings"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// Safe returns s as one line that cannot drive a terminal: every control
// character (newline and tab too), DEL, C1 control, bidi override or
// isolate and invalid UTF-8 byte is shown escaped (\x1b, \u009b,
// \u202e, \xff). Text needing no escape is returned as it is, without
// allocating.
func Safe(s string) string { return escape(s, false) }

// SafeMultiline is Safe for text whose lines matter (a fault's traceback,
// a model's answer): newline and tab pass as they are; carriage return,
// which lets one line overwrite another, is escaped like every other
// control.
func SafeMultiline(s string) string { return escape(s, true) }

// escape writes s with every unsafe character escaped; keepLayout lets
// '\n' and '\t' through.
func escape(s string, keepLayout bool) string {
	i := firstUnsafe(s, keepLayout)
	if i < 0 {
		return s
	}
	var b strings.Builder
	// Most text needs one or two escapes; growing once for a few covers it.
	b.Grow(len(s) + 16)
	start := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if unsafeASCII(c, keepLayout) {
				b.WriteString(s[start:i])
				writeByteEscape(&b, c)
				start = i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			// A byte that is not UTF-8: shown as the byte it is, so a
			// raw 0x9b (CSI to a terminal not in UTF-8 mode) never
			// reaches the terminal and a person can tell it from a
			// real U+FFFD.
			b.WriteString(s[start:i])
			writeByteEscape(&b, c)
			start = i + 1
		case unsafeRune(r):
			b.WriteString(s[start:i])
			writeRuneEscape(&b, r)
			start = i + size
		}
		i += size
	}
	b.WriteString(s[start:])
	return b.String()
}

// firstUnsafe is the byte offset of the first character escape would
// change, or -1. It is the whole cost for clean text, so ASCII is checked
// a byte at a time and only non-ASCII is decoded.
func firstUnsafe(s string, keepLayout bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if unsafeASCII(c, keepLayout) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

func unsafeASCII(c byte, keepLayout bool) bool {
	if c >= 0x20 && c != 0x7f {
		return false
	}
	return !keepLayout || (c != '\n' && c != '\t')
}

// unsafeRune reports the non-ASCII runes a terminal acts on: the C1
// controls and the bidi embeddings, overrides and isolates.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

func writeByteEscape(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&0xf])
}

func writeRuneEscape(b *strings.Builder, r rune) {
	b.WriteString(`\u`)
	for shift := 12; shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[(r>>shift)&0xf])
	}
}
