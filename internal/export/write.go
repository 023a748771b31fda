package export

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kriscelmer/os-tui/internal/render"
	"github.com/kriscelmer/os-tui/internal/termtext"
)

// Writer takes an export as it is read: Begin for each type (with its
// columns), Row for each of its rows, End when the type is over. Row's
// slice is reused by the caller after Row returns.
type Writer interface {
	Begin(t Type, cols []string) error
	Row(vals []any) error
	End() error
	// Close flushes what is buffered; the writer is not used again.
	Close() error
}

// Formats are the output formats, as -f takes them.
var Formats = []string{"csv", "json", "yaml"}

// FileMode is the mode of the files an export writes: an inventory names
// addresses and hosts, so it is the person's to share, not the machine's.
const FileMode = 0o600

// JSONLines writes one JSON object a line, {"type": T, "row": {...}}, the
// row's keys being the list's column names in order. A reader can start
// on the first line before the last is written; `jq -s .` makes it one
// array.
func JSONLines(w io.Writer) Writer {
	return &jsonWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

type jsonWriter struct {
	// terminal: text goes through termtext.Safe first. JSON escapes
	// control characters itself, but not the Unicode that reorders or
	// hides text on a screen.
	terminal bool
	w        *bufio.Writer
	prefix   []byte   // {"type":"server","row":{
	keys     [][]byte // "ID":
	buf      []byte
}

func (j *jsonWriter) Begin(t Type, cols []string) error {
	j.prefix = append(appendJSONString(append(j.prefix[:0], `{"type":`...), t.Name), `,"row":{`...)
	j.keys = j.keys[:0]
	for _, c := range cols {
		j.keys = append(j.keys, append(appendJSONString(nil, c), ':'))
	}
	return nil
}

func (j *jsonWriter) Row(vals []any) error {
	b := append(j.buf[:0], j.prefix...)
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, j.keys[i]...)
		if s, ok := v.(string); ok && j.terminal {
			v = termtext.Safe(s)
		}
		var err error
		if b, err = appendJSONValue(b, v); err != nil {
			return err
		}
	}
	b = append(b, "}}\n"...)
	j.buf = b
	_, err := j.w.Write(b)
	return err
}

func (j *jsonWriter) End() error   { return nil }
func (j *jsonWriter) Close() error { return j.w.Flush() }

// appendJSONValue appends v as JSON. The common kinds are written by
// hand (a 100,000-row export encodes a million values); the rest, rare,
// go through encoding/json.
func appendJSONValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case []string:
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']'), nil
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return b, fmt.Errorf("encode %T: %w", v, err)
	}
	return append(b, enc...), nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced, as encoding/json
// does (without its HTML escaping, which data files do not need).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 end a line in JavaScript: escaped, as
		// encoding/json does, so a line stays one line everywhere.
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// YAMLStream writes one YAML document a row ("---" between them), with
// the same two keys as JSON Lines: type and row. Scalars are plain when
// they cannot be read as anything but the text they are, and double-quoted
// otherwise; lists and maps are written in flow style as JSON (JSON is
// valid YAML). It is written by hand: yaml.v3's Encoder, given a long
// stream, slowed down and held memory as documents went by (100,000 rows
// took 100 s and 2.4 GB), and encoding each document alone still ran at
// 2,500 rows a second.
func YAMLStream(w io.Writer) Writer {
	return &yamlWriter{bw: bufio.NewWriterSize(w, 64<<10)}
}

type yamlWriter struct {
	terminal bool // as jsonWriter's
	bw       *bufio.Writer
	prefix   []byte   // type: server\nrow:\n
	keys     [][]byte // "  ID: "
	buf      []byte
	begun    bool
}

func (y *yamlWriter) Begin(t Type, cols []string) error {
	y.prefix = append(appendYAMLString(append(y.prefix[:0], "type: "...), t.Name), "\nrow:\n"...)
	y.keys = y.keys[:0]
	for _, c := range cols {
		y.keys = append(y.keys, append(appendYAMLString([]byte("  "), c), ": "...))
	}
	return nil
}

func (y *yamlWriter) Row(vals []any) error {
	b := y.buf[:0]
	if y.begun {
		b = append(b, "---\n"...)
	}
	y.begun = true
	b = append(b, y.prefix...)
	if len(vals) == 0 {
		b = append(b[:len(b)-1], " {}\n"...)
	}
	for i, v := range vals {
		b = append(b, y.keys[i]...)
		var err error
		if s, ok := v.(string); ok {
			if y.terminal {
				s = termtext.Safe(s)
			}
			b = appendYAMLString(b, s)
		} else if b, err = appendJSONValue(b, v); err != nil {
			return err
		}
		b = append(b, '\n')
	}
	y.buf = b
	_, err := y.bw.Write(b)
	return err
}

func (y *yamlWriter) End() error   { return nil }
func (y *yamlWriter) Close() error { return y.bw.Flush() }

// appendYAMLString appends s plain when YAML reads it back as that same
// text (it starts with a letter, holds only letters, digits, spaces and
// . _ / @ + -, and is no word YAML takes for a boolean or null), and as
// a JSON string otherwise, which YAML reads as a double-quoted scalar.
func appendYAMLString(b []byte, s string) []byte {
	if plainYAML(s) {
		return append(b, s...)
	}
	return appendJSONString(b, s)
}

func plainYAML(s string) bool {
	if s == "" || s[len(s)-1] == ' ' {
		return false
	}
	c := s[0]
	if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.' || c == '_' || c == '/' || c == '@' || c == '+' || c == '-' || c == ' ':
		default:
			return false
		}
	}
	if len(s) <= 5 {
		switch strings.ToLower(s) {
		case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
			return false
		}
	}
	return true
}

// CSV writes one type as CSV to w, with a header line of the list's
// column names. Lists are joined by ", " and booleans read True/False,
// as `-f csv` prints them. A second type is refused: one CSV holds one
// table (see CSVDir for several).
func CSV(w io.Writer, terminal bool) Writer {
	return &csvWriter{out: w, terminal: terminal}
}

// CSVDir writes each type to DIR/<type>.csv (server.csv,
// volume.backup.csv), creating DIR when it does not exist. A type the
// cloud could not list leaves no file; one with no rows, a header.
func CSVDir(dir string) Writer {
	return &csvWriter{dir: dir}
}

type csvWriter struct {
	dir      string
	out      io.Writer
	terminal bool
	file     *os.File
	bw       *bufio.Writer
	w        *csv.Writer
	began    bool
	rec      []string
	// Files are the paths written, in order.
	files []string
}

func (c *csvWriter) Begin(t Type, cols []string) error {
	switch {
	case c.dir == "" && c.began:
		return errors.New("CSV holds one resource type: write several to a directory (-o DIR) or use -f json")
	case c.dir == "":
		c.bw = bufio.NewWriterSize(c.out, 64<<10)
	default:
		if err := os.MkdirAll(c.dir, 0o750); err != nil {
			return fmt.Errorf("create %s: %w", c.dir, err)
		}
		path := filepath.Join(c.dir, t.Name+".csv")
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, FileMode)
		if err != nil {
			return fmt.Errorf("create %s: %w", path, err)
		}
		c.file, c.files = f, append(c.files, path)
		c.bw = bufio.NewWriterSize(f, 64<<10)
	}
	c.began = true
	c.w = csv.NewWriter(c.bw)
	return c.w.Write(c.cells(anySlice(cols)))
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func (c *csvWriter) cells(vals []any) []string {
	c.rec = c.rec[:0]
	for _, v := range vals {
		s := render.CellText(v)
		if c.terminal {
			s = termtext.Safe(s)
		}
		c.rec = append(c.rec, s)
	}
	return c.rec
}

func (c *csvWriter) Row(vals []any) error {
	return c.w.Write(c.cells(vals))
}

func (c *csvWriter) End() error {
	c.w.Flush()
	err := c.w.Error()
	if ferr := c.bw.Flush(); err == nil {
		err = ferr
	}
	if c.file != nil {
		if cerr := c.file.Close(); err == nil {
			err = cerr
		}
		c.file = nil
	}
	return err
}

func (c *csvWriter) Close() error {
	if c.file != nil {
		return c.End()
	}
	return nil
}

// InventoryColumns are the header of a CSV that holds several types in
// one table: the columns every type shares, then all of the row's columns
// as one JSON object, so a spreadsheet sorts and filters the common ones
// and nothing is lost.
var InventoryColumns = []string{"Type", "ID", "Name", "Status", "Project", "Fields"}

// CSVInventory writes every type to one CSV table with InventoryColumns:
// what `ostui export -f csv` gives on standard output or in one .csv
// file. A type without one of the shared columns leaves that cell empty.
func CSVInventory(w io.Writer, terminal bool) Writer {
	return &inventoryWriter{bw: bufio.NewWriterSize(w, 64<<10), terminal: terminal}
}

type inventoryWriter struct {
	bw       *bufio.Writer
	w        *csv.Writer
	terminal bool
	typ      string
	// shared[i] is the row index of InventoryColumns[i+1] (-1: none).
	shared [4]int
	keys   [][]byte
	rec    []string
	buf    []byte
}

// sharedNames are the column names (lower case) each shared column is
// taken from, first match wins.
var sharedNames = [4][]string{
	{"id"},
	{"name", "display name", "floating ip address", "fingerprint"},
	{"status", "state", "provisioning status", "operating status", "stack status"},
	{"project", "project id", "tenant id", "owner"},
}

func (v *inventoryWriter) Begin(t Type, cols []string) error {
	if v.w == nil {
		v.w = csv.NewWriter(v.bw)
		if err := v.w.Write(InventoryColumns); err != nil {
			return err
		}
	}
	v.typ = t.Name
	for i, names := range sharedNames {
		v.shared[i] = -1
	find:
		for _, n := range names {
			for j, c := range cols {
				if strings.EqualFold(c, n) {
					v.shared[i] = j
					break find
				}
			}
		}
	}
	v.keys = v.keys[:0]
	for _, c := range cols {
		v.keys = append(v.keys, append(appendJSONString(nil, c), ':'))
	}
	return nil
}

func (v *inventoryWriter) Row(vals []any) error {
	v.rec = append(v.rec[:0], v.typ)
	for _, j := range v.shared {
		cell := ""
		if j >= 0 && j < len(vals) {
			cell = render.CellText(vals[j])
		}
		v.rec = append(v.rec, v.safe(cell))
	}
	b := append(v.buf[:0], '{')
	for i, val := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, v.keys[i]...)
		var err error
		if b, err = appendJSONValue(b, val); err != nil {
			return err
		}
	}
	b = append(b, '}')
	v.buf = b
	v.rec = append(v.rec, v.safe(string(b)))
	return v.w.Write(v.rec)
}

func (v *inventoryWriter) safe(s string) string {
	if v.terminal {
		return termtext.Safe(s)
	}
	return s
}

func (v *inventoryWriter) End() error {
	v.w.Flush()
	return v.w.Error()
}

func (v *inventoryWriter) Close() error {
	if v.w == nil {
		// Nothing was exported: the header still says what the file is.
		v.w = csv.NewWriter(v.bw)
		if err := v.w.Write(InventoryColumns); err != nil {
			return err
		}
	}
	v.w.Flush()
	if err := v.w.Error(); err != nil {
		return err
	}
	return v.bw.Flush()
}

// New makes the writer for a format: to w, or with CSV and several
// types, to the directory dir. terminal reports that w is a terminal:
// text is then made safe for it (termtext.Safe) in every format.
func New(format string, w io.Writer, dir string, terminal bool) (Writer, error) {
	switch format {
	case "csv":
		if dir != "" {
			return CSVDir(dir), nil
		}
		return CSV(w, terminal), nil
	case "inventory-csv":
		return CSVInventory(w, terminal), nil
	case "json", "jsonl":
		return &jsonWriter{w: bufio.NewWriterSize(w, 64<<10), terminal: terminal}, nil
	case "yaml", "yml":
		return &yamlWriter{bw: bufio.NewWriterSize(w, 64<<10), terminal: terminal}, nil
	}
	return nil, fmt.Errorf("no export format %q; choose csv, json (JSON Lines) or yaml", format)
}
