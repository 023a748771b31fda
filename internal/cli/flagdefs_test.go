package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/iostreams"
)

var updateMan = flag.Bool("update-man", false, "rewrite docs/ostui.1 from the help text")

// everyFlag is every flag in the tables, global and per subcommand.
func everyFlag() []flagDef {
	all := append([]flagDef(nil), globalFlags...)
	for _, s := range subcommands {
		all = append(all, s.flags...)
	}
	return all
}

func TestHelpListsEveryFlagAndSubcommand(t *testing.T) {
	help := usageText()
	for _, f := range everyFlag() {
		if !strings.Contains(help, f.spelling()) {
			t.Errorf("--help does not mention %s", f.spelling())
		}
	}
	for _, s := range subcommands {
		if !s.hidden && !strings.Contains(help, "ostui "+s.name) {
			t.Errorf("--help does not mention the %s subcommand", s.name)
		}
	}
	for _, line := range strings.Split(help, "\n") {
		if n := len([]rune(line)); n > 100 {
			t.Errorf("--help line is %d columns wide: %q", n, line)
		}
	}
}

func TestCompletionKnowsEveryFlagAndSubcommand(t *testing.T) {
	for shell, script := range completionShells {
		s := script()
		for _, f := range everyFlag() {
			want := f.spelling()
			if shell == "fish" {
				want = "-l " + f.name
				if len(f.name) == 1 {
					want = "-s " + f.name
				}
			}
			if !strings.Contains(s, want) {
				t.Errorf("%s completion does not know %s", shell, f.spelling())
			}
			short := "-" + f.short
			if shell == "fish" {
				short = "-s " + f.short
			}
			if f.short != "" && !strings.Contains(s, short) {
				t.Errorf("%s completion does not know -%s", shell, f.short)
			}
		}
		for _, sub := range subcommandNames() {
			if !strings.Contains(s, sub) {
				t.Errorf("%s completion does not know the %s subcommand", shell, sub)
			}
		}
	}
}

// TestCompletionScriptsParse asks each shell that is installed to read its
// script without running it.
func TestCompletionScriptsParse(t *testing.T) {
	for shell, script := range completionShells {
		t.Run(shell, func(t *testing.T) {
			path, err := exec.LookPath(shell)
			if err != nil {
				t.Skipf("%s is not installed", shell)
			}
			cmd := exec.CommandContext(t.Context(), path, "-n")
			cmd.Stdin = strings.NewReader(script())
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", shell, err, out)
			}
		})
	}
}

// TestBashCompletion runs the bash function as bash would on Tab.
func TestBashCompletion(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	tests := []struct {
		line string // the words typed, the last one being completed
		want []string
	}{
		{"ostui --re", []string{"--read-only", "--resume"}},
		{"ostui --os-interface ", []string{"public", "internal", "admin"}},
		{"ostui m", []string{"man", "mcp"}},
		{"ostui mcp --", []string{"--http", "--allow-changes", "--http-any"}},
		{"ostui --offline run x.yaml --ch", []string{"--check"}},
		{"ostui completion ", []string{"bash", "zsh", "fish"}},
	}
	for _, tt := range tests {
		words := strings.Split(tt.line, " ")
		script := bashCompletion() + `
COMP_WORDS=(` + quoteWords(words) + `)
COMP_CWORD=` + strconv.Itoa(len(words)-1) + `
_ostui
printf '%s\n' "${COMPREPLY[@]}"
`
		out, err := exec.CommandContext(t.Context(), "bash", "-c", script).CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tt.line, err, out)
		}
		got := strings.Fields(string(out))
		if diff := cmp.Diff(sorted(tt.want), sorted(got)); diff != "" {
			t.Errorf("completing %q (-want +got):\n%s", tt.line, diff)
		}
	}
}

// TestFishCompletion asks fish itself what it would offer.
func TestFishCompletion(t *testing.T) {
	if _, err := exec.LookPath("fish"); err != nil {
		t.Skip("fish is not installed")
	}
	script := filepath.Join(t.TempDir(), "ostui.fish")
	if err := os.WriteFile(script, []byte(fishCompletion()), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string
		want []string
	}{
		{"ostui --re", []string{"--read-only", "--resume"}},
		{"ostui --os-interface ", []string{"admin", "internal", "public"}},
		{"ostui --timeout ", nil},
		{"ostui m", []string{"man", "mcp"}},
		{"ostui mcp --", []string{"--allow-changes", "--http", "--http-any"}},
		{"ostui completion ", []string{"bash", "fish", "zsh"}},
	}
	for _, tt := range tests {
		out, err := exec.CommandContext(t.Context(), "fish", "--no-config", "-c", "source "+script+"; complete -C '"+tt.line+"'").CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tt.line, err, out)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if w, _, _ := strings.Cut(l, "\t"); w != "" {
				got = append(got, w)
			}
		}
		if diff := cmp.Diff(sorted(tt.want), sorted(got)); diff != "" {
			t.Errorf("completing %q (-want +got):\n%s", tt.line, diff)
		}
	}
}

func quoteWords(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "'" + w + "'"
	}
	return strings.Join(q, " ")
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func TestEveryGlobalFlagParses(t *testing.T) {
	for _, f := range globalFlags {
		args := []string{f.spelling()}
		if f.arg != "" {
			v := "x"
			if f.name == "timeout" {
				v = "5s"
			}
			args = append(args, v)
		}
		if f.name == "yes" {
			args = append(args, "-c", "/help")
		}
		if _, err := parseFlags(args); err != nil {
			t.Errorf("parseFlags(%q): %v", args, err)
		}
	}
}

func TestInsecureTellsUnsetFromFalse(t *testing.T) {
	tests := []struct {
		args []string
		want *bool
	}{
		{nil, nil},
		{[]string{"--insecure"}, ptr(true)},
		{[]string{"-insecure=false"}, ptr(false)},
		{[]string{"--insecure=true", "-c", "/help"}, ptr(true)},
	}
	for _, tt := range tests {
		o, err := parseFlags(tt.args)
		if err != nil {
			t.Fatalf("parseFlags(%q): %v", tt.args, err)
		}
		if diff := cmp.Diff(tt.want, o.flags.Insecure); diff != "" {
			t.Errorf("parseFlags(%q).Insecure (-want +got):\n%s", tt.args, diff)
		}
	}
	if _, err := parseFlags([]string{"--insecure=maybe"}); err == nil {
		t.Error("--insecure=maybe was accepted")
	}
}

func ptr[T any](v T) *T { return &v }

func TestSubcommandFlags(t *testing.T) {
	got, rest, err := subcommandFlags("run", []string{"--param", "a=1", "--param=b=2", "--yes", "x.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"param": {"a=1", "b=2"}, "yes": {"true"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("flags (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"x.yaml"}, rest); diff != "" {
		t.Errorf("rest (-want +got):\n%s", diff)
	}
	if _, _, err := subcommandFlags("mcp", []string{"--nope"}); err == nil {
		t.Error("an unknown mcp flag was accepted")
	}
}

// TestRunAcceptsItsTableFlags: `ostui run` parses its own flags; what the
// table (and so --help and completion) promises, it must accept.
func TestRunAcceptsItsTableFlags(t *testing.T) {
	s, _ := subcommandNamed("run")
	for _, f := range s.flags {
		args := []string{"run", filepath.Join(t.TempDir(), "missing.yaml"), f.spelling()}
		if f.arg != "" {
			args = append(args, "k=v")
		}
		ios, _, _, errOut := iostreams.Test()
		Run(context.Background(), args, ios, func(string) string { return "" })
		if strings.Contains(errOut.String(), "not defined") {
			t.Errorf("ostui %s: %s", strings.Join(args, " "), errOut)
		}
	}
}

// TestManPageIsUpToDate keeps docs/ostui.1 what `ostui man` prints;
// refresh it with `make man`.
func TestManPageIsUpToDate(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "ostui.1")
	if *updateMan {
		if err := os.WriteFile(path, []byte(manPage()), 0o644); err != nil { //nolint:gosec // a manual page is public
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run make man)", err)
	}
	if diff := cmp.Diff(string(committed), manPage()); diff != "" {
		t.Errorf("docs/ostui.1 is stale; run make man (-committed +generated):\n%s", diff)
	}
}

func TestManPageRenders(t *testing.T) {
	if _, err := exec.LookPath("groff"); err != nil {
		t.Skip("groff is not installed")
	}
	cmd := exec.CommandContext(t.Context(), "groff", "-man", "-Tutf8", "-ww", "-z")
	cmd.Stdin = strings.NewReader(manPage())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Errorf("groff: %v\n%s", err, stderr.String())
	}
}

func TestFlagProblemSuggestsTheClosestFlag(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--os-clud", "x"}, "unknown flag --os-clud (did you mean --os-cloud?)"},
		{[]string{"--yess"}, "unknown flag --yess (did you mean --yes?)"},
		{[]string{"--read-onl"}, "unknown flag --read-onl (did you mean --read-only?)"},
		{[]string{"-x"}, "unknown flag -x\n"},
		{[]string{"--completely-different"}, "unknown flag --completely-different\n"},
		{[]string{"--timeout", "soon"}, `invalid value "soon" for flag -timeout`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := parseFlags(tt.args)
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Fatalf("parseFlags(%q) = %v, want a usage error", tt.args, err)
			}
			if !strings.Contains(ue.msg, tt.want) {
				t.Errorf("message %q does not contain %q", ue.msg, tt.want)
			}
		})
	}
}

func TestRunRecipeFlagsComeFromTheTable(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--chek", "r.yaml"}, "unknown flag --chek (did you mean --check?)"},
		{[]string{"run", "r.yaml", "--param", "novalue"}, `--param takes NAME=VALUE (got "novalue")`},
		{[]string{"run"}, "usage: ostui run RECIPE.yaml"},
		{[]string{"run", "a.yaml", "b.yaml"}, "usage: ostui run RECIPE.yaml"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, _, errOut := iostreams.Test()
			code := Run(context.Background(), tt.args, ios, func(string) string { return "" })
			if code != ExitUsage {
				t.Errorf("exit code %d, want %d (usage)", code, ExitUsage)
			}
			if !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("stderr %q does not contain %q", errOut.String(), tt.want)
			}
		})
	}
}

func TestBuiltinsAndImportAnswerHelp(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"import", "--help"}, "usage: ostui import clouds.yaml|openrc.sh"},
		{[]string{"import", "-h"}, "--dry-run shows what would change"},
		{[]string{"--offline", "-c", "/vpc --help"}, "usage: /vpc create NAME --cidr CIDR"},
		{[]string{"--offline", "-c", "/vpc create x -h"}, "usage: /vpc create NAME --cidr CIDR"},
		{[]string{"--offline", "-c", "/diagnose --help"}, "usage: /diagnose SERVER"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			if code := Run(context.Background(), tt.args, ios, func(string) string { return "" }); code != ExitOK {
				t.Errorf("exit code %d, want 0; stderr %q", code, errOut.String())
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("stdout %q does not contain %q", out.String(), tt.want)
			}
		})
	}
}
