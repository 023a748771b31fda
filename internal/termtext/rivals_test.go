package termtext

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// rivalAllowed names code that maps control characters for a reason
// other than showing text on a terminal, or that is still being switched
// to this package. A key is a directory (every function in it) or
// "file.go:Func". Each entry must still match something: one that no
// longer does fails the test, so the list only shrinks.
var rivalAllowed = map[string]string{
	// The model's prompt, not a terminal: these drop controls so a value
	// stays one line inside a prompt or a fenced tool result; what the
	// model writes back is escaped by this package when it is shown.
	"agent/planner/results.go:cell": "model prompt: one line per table cell",
	"agent/prompt/prompt.go:field":  "model prompt: one line per context value",
	// A data file, not a terminal: JSON's own escaping of control
	// characters, as encoding/json does (the export writes JSON by hand
	// for speed). On a terminal the export applies Safe first.
	"internal/export/write.go:appendJSONString": "JSON string escaping for export files",
}

// TestNoRivalEscapers fails when a function outside this package handles
// control characters itself: five such functions once drifted apart, each
// missing a case (C1, a raw 0x9b, bidi overrides, invalid UTF-8). Call
// Safe, SafeMultiline, Markdown or MarkdownCode instead, or, if the code
// is about something other than a terminal, add it to rivalAllowed and
// say why.
func TestNoRivalEscapers(t *testing.T) {
	root := moduleRoot(t)
	found := rivals(t, root)
	used := map[string]bool{}
	for _, r := range found {
		if key := allowedBy(r); key != "" {
			used[key] = true
			continue
		}
		t.Errorf("%s escapes terminal text itself (%s); use internal/termtext", r.where, r.why)
	}
	for key := range rivalAllowed {
		if !used[key] {
			t.Errorf("rivalAllowed[%q] matches nothing any more; delete the entry", key)
		}
	}
}

// TestRivalsFound proves the detector sees each shape of a rival and
// leaves ordinary code alone.
func TestRivalsFound(t *testing.T) {
	dir := t.TempDir()
	src := `package x

import (
	"fmt"
	"unicode"
)

func hex(r rune) string   { return fmt.Sprintf("\\x%02x", r) }
func uni(r rune) string   { return fmt.Sprintf("\\u%04x", r) }
func below(r rune) bool   { return r < 0x20 }
func belowSp(r rune) bool { return r < ' ' }
func del(c byte) bool     { return c == 0x7f }
func esc(c byte) bool     { return c == '\x1b' }
func c1(r rune) bool      { return r <= 0x9f }
func ctl(r rune) bool     { return unicode.IsControl(r) }
func lit() func(rune) bool { return func(r rune) bool { return 0x20 > r } }
func space(c byte) bool   { return c == ' ' }
func other(n int) bool    { return n < 32 && n != 10 }
`
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rivals(t, dir) {
		got = append(got, r.where)
	}
	want := []string{"x.go:hex", "x.go:uni", "x.go:below", "x.go:belowSp", "x.go:del", "x.go:esc", "x.go:c1", "x.go:ctl", "x.go:lit"}
	if !slices.Equal(got, want) {
		t.Errorf("rivals found:\n%v\nwant:\n%v", got, want)
	}
}

type rival struct {
	dir   string // slash-separated, relative to the root
	where string // "dir/file.go:Func"
	why   string
}

func allowedBy(r rival) string {
	for key := range rivalAllowed {
		if key == r.where || key == r.dir || strings.HasPrefix(r.dir, key+"/") {
			return key
		}
	}
	return ""
}

// rivals lists the functions under root, outside this package, its test
// files and other modules, that look like terminal escapers.
func rivals(t *testing.T, root string) []rival {
	t.Helper()
	var out []rival
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || rel == "internal/termtext") {
				return filepath.SkipDir
			}
			if path != root {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir // another module (internal/devtools)
				}
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			if why := escaperSign(fn.Body); why != "" {
				out = append(out, rival{dir: filepath.ToSlash(filepath.Dir(rel)), where: rel + ":" + fn.Name.Name, why: why})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	return out
}

// controlBounds are the values code compares a character with when it
// picks out controls: the end of C0, ESC, DEL, CSI and the end of C1.
// 0x20 counts only in an ordering (c == ' ' is a space test).
var controlBounds = map[int64]bool{0x1b: true, 0x1f: true, 0x7f: true, 0x9b: true, 0x9f: true}

// escaperSign says why body looks like it escapes control characters
// (a \x%02x or \u%04x format, a comparison with a control bound,
// unicode.IsControl), or "" when it does not.
func escaperSign(body *ast.BlockStmt) string {
	why := ""
	ast.Inspect(body, func(n ast.Node) bool {
		if why != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.BasicLit:
			if n.Kind == token.STRING && (strings.Contains(n.Value, `x%02x`) || strings.Contains(n.Value, `u%04x`)) {
				why = "formats " + n.Value
			}
		case *ast.BinaryExpr:
			for _, side := range []ast.Expr{n.X, n.Y} {
				v, ok := literal(side)
				if !ok {
					continue
				}
				ordering := n.Op == token.LSS || n.Op == token.LEQ || n.Op == token.GTR || n.Op == token.GEQ
				compare := ordering || n.Op == token.EQL || n.Op == token.NEQ
				if compare && controlBounds[v] || ordering && v == 0x20 && isCharLike(n) {
					why = "compares with " + strconv.Quote(string(rune(v)))
				}
			}
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && id.Name == "unicode" && n.Sel.Name == "IsControl" {
				why = "calls unicode.IsControl"
			}
		}
		return true
	})
	return why
}

// isCharLike keeps "n < 32" on a count from looking like a control test:
// only hex and rune literals say the code is thinking in characters.
func isCharLike(n *ast.BinaryExpr) bool {
	for _, side := range []ast.Expr{n.X, n.Y} {
		if lit, ok := side.(*ast.BasicLit); ok {
			return lit.Kind == token.CHAR || strings.HasPrefix(strings.ToLower(lit.Value), "0x")
		}
	}
	return false
}

// literal is the value of an integer or rune literal.
func literal(e ast.Expr) (int64, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok {
		return 0, false
	}
	switch lit.Kind {
	case token.INT:
		v, err := strconv.ParseInt(lit.Value, 0, 64)
		return v, err == nil
	case token.CHAR:
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return 0, false
		}
		r := []rune(s)
		if len(r) != 1 {
			// A byte escape such as '\x9b' unquotes to invalid UTF-8.
			return int64(s[0]), len(s) == 1
		}
		return int64(r[0]), true
	}
	return 0, false
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
