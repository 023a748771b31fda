package gate

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoBypass guards the one rule that keeps the gate unbypassable: only
// this package makes an Approved, and only the executor (and the gate's
// own read path) call a tool's Run. It reads every non-test Go file of
// the module and fails on
//   - a composite literal of Approved outside agent/gate, and
//   - a call X.Run(ctx, env, args) — the three-argument shape of a tool's
//     RunFunc — in a package that imports the tools package, outside
//     agent/gate, agent/executor and tools/ (where tools are defined and
//     their typed Run functions wrapped), and
//   - a call of a gophercloud resource package's changing function
//     (servers.Create, applicationcredentials.Delete, ...) outside tools/:
//     a change made there would skip the gate's review, the person's
//     approval and the audit log. Logging in (identity tokens) changes
//     nothing and is not flagged.
func TestNoBypass(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || rel == "internal/devtools" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		problems, err := scan(fset, path, rel, src)
		if err != nil {
			return err
		}
		checked++
		for _, p := range problems {
			t.Error(p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("checked only %d files: the walk is not reading the module", checked)
	}
}

// TestNoBypassCatches proves the scan finds what it must.
func TestNoBypassCatches(t *testing.T) {
	bad := `package cli
import "github.com/kriscelmer/os-tui/tools"
import "github.com/kriscelmer/os-tui/agent/gate"
func sneak(t *tools.Tool) {
	t.Run(ctx, env, args)
	_ = gate.Approved{}
	_ = &gate.Approved{}
}`
	problems, err := scan(token.NewFileSet(), "x.go", "internal/cli/x.go", []byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 3 {
		t.Errorf("found %d problems, want 3: %v", len(problems), problems)
	}
	direct := `package cloudlogin
import ac "github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"
import "github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
import "github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
func sneak() {
	ac.Create(ctx, c, "u", opts)
	servers.Delete(ctx, c, "id")
	servers.List(c, nil)
	tokens.Create(ctx, c, opts)
}`
	problems, _ = scan(token.NewFileSet(), "x.go", "internal/cloudlogin/x.go", []byte(direct))
	if len(problems) != 2 {
		t.Errorf("direct gophercloud changes: found %d problems, want 2 (the create and the delete): %v", len(problems), problems)
	}
	if problems, _ = scan(token.NewFileSet(), "x.go", "tools/identity/x.go", []byte(direct)); len(problems) != 0 {
		t.Errorf("in tools/: found %v, want none", problems)
	}
	problems, _ = scan(token.NewFileSet(), "x.go", "agent/executor/x.go", []byte(bad))
	if len(problems) != 2 {
		t.Errorf("in the executor: found %d problems, want the 2 literals: %v", len(problems), problems)
	}
}

// changing names the functions of gophercloud's resource packages that
// change the cloud.
var changing = regexp.MustCompile(`^(Create|Delete|Update|Replace|Add|Remove|Set|Unset|Attach|Detach|Reboot|Start|Stop|Resize|ConfirmResize|RevertResize|Rebuild|Migrate|LiveMigrate|Extend|Upload|Associate|Disassociate|Revert|Restore|Lock|Unlock|Pause|Unpause|Suspend|Resume|Shelve|Unshelve|Rescue|Unrescue|Abandon|Adopt|Purge|Bulk|Reset|ForceDelete|Retype|Import|Stage|Copy|Manage|Unmanage|Failover|Cascade|Evacuate|CreateImage)`)

// gophercloudResources maps the local names of the gophercloud resource
// packages a file imports (logging in through identity tokens aside).
func gophercloudResources(f *ast.File) map[string]bool {
	out := map[string]bool{}
	for _, imp := range f.Imports {
		p := strings.Trim(imp.Path.Value, `"`)
		if !strings.HasPrefix(p, "github.com/gophercloud/gophercloud/v2/openstack/") || strings.HasSuffix(p, "/identity/v3/tokens") {
			continue
		}
		name := p[strings.LastIndex(p, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		out[name] = true
	}
	return out
}

// scan returns the bypasses in one file.
func scan(fset *token.FileSet, path, rel string, src []byte) ([]string, error) {
	allowedRun := []string{"agent/gate/", "agent/executor/", "tools/"}
	var problems []string
	f, err := parser.ParseFile(fset, path, src, 0)
	if err != nil {
		return nil, err
	}
	resources := gophercloudResources(f)
	{
		importsTools := false
		for _, imp := range f.Imports {
			if strings.Trim(imp.Path.Value, `"`) == "github.com/kriscelmer/os-tui/tools" {
				importsTools = true
			}
		}
		mayRun := false
		for _, prefix := range allowedRun {
			if strings.HasPrefix(rel, prefix) {
				mayRun = true
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CompositeLit:
				if isApproved(x.Type) && !strings.HasPrefix(rel, "agent/gate/") {
					problems = append(problems, fmt.Sprintf("%s: constructs gate.Approved; only the gate may", fset.Position(x.Pos())))
				}
			case *ast.CallExpr:
				sel, ok := x.Fun.(*ast.SelectorExpr)
				if ok && sel.Sel.Name == "Run" && len(x.Args) == 3 && importsTools && !mayRun {
					problems = append(problems, fmt.Sprintf("%s: calls a tool's Run directly; changes go through the gate and the executor", fset.Position(x.Pos())))
				}
				if ok && !strings.HasPrefix(rel, "tools/") && changing.MatchString(sel.Sel.Name) {
					if pkg, isIdent := sel.X.(*ast.Ident); isIdent && resources[pkg.Name] {
						problems = append(problems, fmt.Sprintf("%s: calls %s.%s directly; a change to the cloud is a tool, run through the gate and the executor", fset.Position(x.Pos()), pkg.Name, sel.Sel.Name))
					}
				}
			}
			return true
		})
	}
	return problems, nil
}

func isApproved(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name == "Approved"
	case *ast.SelectorExpr:
		return x.Sel.Name == "Approved"
	case *ast.StarExpr:
		return isApproved(x.X)
	}
	return false
}
