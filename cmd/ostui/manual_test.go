package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/router"
	"github.com/kriscelmer/os-tui/internal/cli"
	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

// The user manual's examples must run as shown. This test reads every
// ```console block of docs/user-manual/*.md and checks, without a cloud:
//
//   - each `$ …` line that runs ostui: its flags are known to the real flag
//     parser (cli.Run), the command given with -c is routed by the real
//     registry and router without a usage error, and a subcommand (run,
//     mcp, completion, man) and its flags are accepted by the subcommand's
//     own parser (run and mcp are asked for --help, so nothing runs);
//   - each line typed at ostui's prompt (`devcloud:demo@RegionOne> /…`)
//     routes without a usage error (a /server create left incomplete may
//     start the launch wizard, as it does in the shell); /help TOPIC names a
//     command or a noun; /mode names a mode;
//   - lines piped in by `printf '/a\n/b\n' | ostui` route too.
//
// An example marked with the shell comment `# usage error` shows a mistake
// on purpose: it must fail to parse, so it too notices when ostui changes.

const manualDir = "../../docs/user-manual"

// manualExample is one command found in the manual.
type manualExample struct {
	file string
	line int
	text string // the line as written, for messages
	// shell is the words of a `$ ` line (nil for a prompt line).
	shell []string
	// slash is a line typed at ostui's prompt.
	slash string
	// wantErr: marked "# usage error".
	wantErr bool
}

func (e manualExample) String() string {
	return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.text)
}

// promptLine matches ostui's prompt as the manual shows it,
// cloud:project@region> (or "(no cloud)> "), and not the launch wizard's
// questions ("flavor> m1.nano").
var promptLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:[A-Za-z0-9_.-]+:[^\s@>]+@[^\s>]+|\(no cloud\))> ?(.*)$`)
})

func TestManualExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(manualDir, "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manual chapters in %s (%v)", manualDir, err)
	}
	var examples []manualExample
	for _, f := range files {
		examples = append(examples, readManualExamples(t, f)...)
	}
	// A broken extractor must not pass by finding nothing.
	if len(examples) < 100 {
		t.Fatalf("found only %d examples in the manual; is the ```console convention still used?", len(examples))
	}

	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	r := router.New(reg, cli.BuiltinNames())
	help := ostuiHelp(t)

	ostuiRuns := 0
	for _, ex := range examples {
		var problems []string
		if ex.shell != nil {
			n, p := checkShellLine(r, help, ex.shell)
			ostuiRuns += n
			problems = p
		} else {
			problems = checkSlash(r, ex.slash, true)
		}
		switch {
		case ex.wantErr && len(problems) == 0:
			t.Errorf("%s\n\tis marked '# usage error' but parses; update the example", ex)
		case !ex.wantErr && len(problems) > 0:
			t.Errorf("%s\n\t%s", ex, strings.Join(problems, "\n\t"))
		}
	}
	if ostuiRuns < 50 {
		t.Errorf("only %d ostui command lines were checked", ostuiRuns)
	}
	t.Logf("checked %d examples from %d chapters (%d ostui command lines)", len(examples), len(files), ostuiRuns)
}

// readManualExamples returns the commands in a chapter's console blocks.
func readManualExamples(t *testing.T, path string) []manualExample {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var (
		out     []manualExample
		fence   string // the open fence's info string; "" outside
		inFence bool
		n       int
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			if inFence {
				inFence = false
			} else {
				inFence, fence = true, strings.TrimSpace(strings.TrimPrefix(trimmed, "```"))
			}
			continue
		}
		if !inFence || fence != "console" {
			continue
		}
		ex := manualExample{file: filepath.Base(path), line: n, text: trimmed}
		switch {
		case strings.HasPrefix(trimmed, "$ "):
			words, comment, err := shellWords(strings.TrimPrefix(trimmed, "$ "))
			if err != nil {
				t.Errorf("%s: %v", ex, err)
				continue
			}
			ex.shell, ex.wantErr = words, comment == "usage error"
			if ex.shell == nil {
				ex.shell = []string{}
			}
		case promptLine().MatchString(trimmed):
			ex.slash = promptLine().FindStringSubmatch(trimmed)[1]
		default:
			continue // output
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if inFence {
		t.Errorf("%s: a code fence is not closed", path)
	}
	return out
}

// shellOperators split a command line into commands (and redirections).
var shellOperators = []string{"&&", "||", "2>&1", "2>>", ">>", "2>", "|", ";", "&", ">", "<"}

// shellWords splits a POSIX shell line into words and operators, the way
// a person's shell would for the simple lines a manual shows: quotes,
// backslashes, operators and a trailing # comment (returned apart).
func shellWords(s string) (words []string, comment string, err error) {
	var (
		cur    strings.Builder
		inWord bool
	)
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
		case c == '#' && !inWord:
			return words, strings.TrimSpace(s[i+1:]), nil
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, "", errors.New("unterminated ' quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			inWord, i = true, i+1+j
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`"\$`+"`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, "", errors.New(`unterminated " quote`)
			}
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		default:
			op := ""
			for _, o := range shellOperators {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" || (op == "2>" || op == "2>>" || op == "2>&1") && inWord {
				cur.WriteByte(c)
				inWord = true
				continue
			}
			flush()
			words = append(words, op)
			i += len(op) - 1
		}
	}
	flush()
	return words, "", nil
}

func isOperator(w string) bool {
	for _, o := range shellOperators {
		if w == o {
			return true
		}
	}
	return false
}

// checkShellLine checks every ostui run in a shell line. It returns how
// many ostui runs it checked and what does not parse.
func checkShellLine(r *router.Router, help *helpFacts, words []string) (int, []string) {
	// Split into commands; drop redirections and their targets.
	var cmds [][]string
	var seps []string
	cur := []string{}
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == ">" || w == ">>" || w == "<" || w == "2>" || w == "2>>":
			i++ // the target
		case w == "2>&1":
		case isOperator(w):
			cmds, seps, cur = append(cmds, cur), append(seps, w), []string{}
		default:
			cur = append(cur, w)
		}
	}
	cmds = append(cmds, cur)

	runs := 0
	var problems []string
	for i, c := range cmds {
		for len(c) > 0 && isAssignment(c[0]) {
			c = c[1:]
		}
		if len(c) == 0 || c[0] != "ostui" {
			continue
		}
		runs++
		var piped []string
		if i > 0 && seps[i-1] == "|" {
			piped = printfLines(cmds[i-1])
		}
		problems = append(problems, checkOstui(r, help, c[1:], piped)...)
	}
	return runs, problems
}

var assignment = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`) })

func isAssignment(w string) bool { return assignment().MatchString(w) }

// printfLines returns the lines `printf 'FORMAT'` writes, when cmd is one.
func printfLines(cmd []string) []string {
	for len(cmd) > 0 && isAssignment(cmd[0]) {
		cmd = cmd[1:]
	}
	if len(cmd) < 2 || cmd[0] != "printf" {
		return nil
	}
	var out []string
	for _, l := range strings.Split(cmd[1], `\n`) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// checkOstui checks one ostui command line (the words after "ostui") and
// the lines piped into it.
func checkOstui(r *router.Router, help *helpFacts, args, piped []string) []string {
	// The global flags end at the first word that is not one (as Go's flag
	// package reads them); -c's value is the slash command.
	var (
		problems []string
		command  string
		haveCmd  bool
		i        int
	)
	for i = 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			break
		}
		name, value, inline := strings.Cut(strings.TrimLeft(a, "-"), "=")
		takesValue, known := help.globals[name]
		if !known {
			problems = append(problems, fmt.Sprintf("ostui has no flag %s (see ostui --help)", a))
			continue
		}
		if takesValue && !inline {
			if i+1 >= len(args) {
				problems = append(problems, a+" needs a value")
				break
			}
			i++
			value = args[i]
		}
		if name == "c" {
			command, haveCmd = value, true
		}
	}
	rest := args[min(i, len(args)):]

	// The real flag parser has the last word: --version stops ostui right
	// after parsing, before it reads any configuration or cloud.
	flagsOnly := append(append(append([]string{}, args[:min(i, len(args))]...), "--version"), rest...)
	ios, _, _, errOut := iostreams.Test()
	if code := cli.Run(context.Background(), flagsOnly, ios, func(string) string { return "" }); code != cli.ExitOK {
		problems = append(problems, fmt.Sprintf("ostui's flag parser refuses it (exit %d): %s", code, strings.TrimSpace(errOut.String())))
	}

	if haveCmd {
		problems = append(problems, checkSlash(r, command, false)...)
	}
	for _, l := range piped {
		if strings.HasPrefix(l, "/") {
			problems = append(problems, checkSlash(r, l, false)...)
		}
	}
	if len(rest) > 0 {
		problems = append(problems, checkSubcommand(args[:min(i, len(args))], rest)...)
	}
	return problems
}

// checkSlash routes one line as the shell would. In the interactive shell
// (repl), a command with only required arguments left out starts its
// wizard, which is not a mistake.
func checkSlash(r *router.Router, line string, repl bool) []string {
	in, err := r.Route(line)
	if err != nil {
		var ue *router.UsageError
		if repl && errors.As(err, &ue) && len(ue.Tool.Spec.Ask) > 0 && onlyMissing(ue.Problems) {
			return nil
		}
		return []string{fmt.Sprintf("%s: %v", line, strings.ReplaceAll(err.Error(), "\n", "; "))}
	}
	b, ok := in.(router.Builtin)
	if !ok {
		return nil
	}
	if b.Name == "help" && len(b.Args) > 0 {
		// /help TOPIC: the topic names a command, a noun or a built-in.
		switch in, err := r.Route("/" + strings.Join(b.Args, " ") + " --help"); {
		case err != nil:
			return []string{fmt.Sprintf("%s: no such help topic: %v", line, strings.ReplaceAll(err.Error(), "\n", "; "))}
		case isProse(in):
			return []string{line + ": no such help topic"}
		}
		return nil
	}
	return checkBuiltinArgs(b, line)
}

func isProse(in router.Intent) bool { _, ok := in.(router.Prose); return ok }

func onlyMissing(problems []string) bool {
	for _, p := range problems {
		if !strings.HasSuffix(p, " is required") && !strings.HasSuffix(p, " are required") {
			return false
		}
	}
	return true
}

// checkBuiltinArgs checks what the shell checks of a built-in's arguments
// before it runs: /mode's mode.
func checkBuiltinArgs(b router.Builtin, line string) []string {
	if b.Name == "mode" && len(b.Args) > 0 {
		if len(b.Args) > 1 {
			return []string{line + ": /mode takes one mode"}
		}
		if _, err := gate.ParseMode(b.Args[0]); err != nil {
			return []string{fmt.Sprintf("%s: %v", line, err)}
		}
	}
	return nil
}

// helpFacts is what `ostui --help` says about the global flags: which
// exist, and which take a value (so the test knows where they end).
type helpFacts struct {
	globals map[string]bool // flag name without dashes → takes a value
}

var helpFlagLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s+(?:-(\w), )?-{1,2}([\w-]+)(?: (\S+))?\s{2,}\S`) })

// ostuiHelp reads ostui --help, as a person would, for the flags and
// subcommands it documents.
func ostuiHelp(t *testing.T) *helpFacts {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	if code := cli.Run(context.Background(), []string{"--help"}, ios, func(string) string { return "" }); code != cli.ExitOK {
		t.Fatalf("ostui --help: exit %d: %s", code, errOut)
	}
	h := &helpFacts{globals: map[string]bool{}}
	for _, l := range strings.Split(out.String(), "\n") {
		if m := helpFlagLine().FindStringSubmatch(l); m != nil {
			h.globals[m[2]] = m[3] != ""
			if m[1] != "" {
				h.globals[m[1]] = m[3] != ""
			}
		}
	}
	for _, want := range []string{"os-cloud", "c", "yes", "help"} {
		if _, ok := h.globals[want]; !ok {
			t.Fatalf("could not read --%s from ostui --help; has its layout changed?\n%s", want, out)
		}
	}
	return h
}

// checkSubcommand runs a subcommand's own parser on "run web.yaml --param
// name=x --yes" and the like. run, mcp, export and login would do real work, so
// they are asked for their --help, which they answer once their flags have
// parsed (login also names its provider: an unknown one is refused);
// completion and man only print, and are run as written.
func checkSubcommand(globals, rest []string) []string {
	args := append(append([]string{}, globals...), rest...)
	if rest[0] == "run" || rest[0] == "mcp" || rest[0] == "export" || rest[0] == "login" && len(rest) > 1 {
		args = append(args, "--help")
	}
	ios, _, _, errOut := iostreams.Test()
	if code := cli.Run(context.Background(), args, ios, func(string) string { return "" }); code != cli.ExitOK {
		return []string{fmt.Sprintf("ostui %s refuses it (exit %d): %s", rest[0], code, strings.TrimSpace(errOut.String()))}
	}
	return nil
}

// TestManualExtractor keeps the extractor honest on the shapes the manual
// uses, so that a quoting mistake cannot hide an example.
func TestManualExtractor(t *testing.T) {
	words, comment, err := shellWords(`OS_PASSWORD=x ostui --os-cloud devcloud -c '/server list -c "Floating IP Address"' 2>&1 | tail -3   # usage error`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"OS_PASSWORD=x", "ostui", "--os-cloud", "devcloud", "-c", `/server list -c "Floating IP Address"`, "2>&1", "|", "tail", "-3"}
	if strings.Join(words, "\x00") != strings.Join(want, "\x00") || comment != "usage error" {
		t.Errorf("shellWords = %q, %q; want %q, %q", words, comment, want, "usage error")
	}
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	r := router.New(reg, cli.BuiltinNames())
	help := ostuiHelp(t)
	for _, tt := range []struct {
		line string
		runs int
		ok   bool
	}{
		{`ostui -c '/server list -f json'`, 1, true},
		{`export OS_CLOUD=x; ostui --read-only -c '/flavor list' > out.txt`, 1, true},
		{`printf '/flavor list\n/image list\n' | ostui`, 1, true},
		{`printf '/flavor lst\n' | ostui`, 1, false},
		{`ostui --os-clod x`, 1, false},
		{`ostui -c '/server list --status RUNNING'`, 1, false},
		{`ostui --yes --read-only -c '/server stop web-1'`, 1, false},
		{`ostui run web.yaml --param name=web-3 --check`, 1, true},
		{`ostui run web.yaml --frobnicate`, 1, false},
		{`ostui completion bash > /etc/bash_completion.d/ostui`, 1, true},
		{`ostui completion tcsh`, 1, false},
		{`ostui man > ostui.1`, 1, true},
		{`ostui mcp --frobnicate`, 1, false},
		{`ostui login openai --profile work`, 1, true},
		{`ostui login opnai`, 1, false},
		{`ostui frobnicate`, 1, false},
		{`openstack volume create --size 1 data-1`, 0, true},
	} {
		words, _, err := shellWords(tt.line)
		if err != nil {
			t.Fatal(err)
		}
		runs, problems := checkShellLine(r, help, words)
		if runs != tt.runs || (len(problems) == 0) != tt.ok {
			t.Errorf("%s: %d runs, problems %q; want %d runs, ok=%v", tt.line, runs, problems, tt.runs, tt.ok)
		}
	}
	for _, tt := range []struct {
		line string
		ok   bool
	}{
		{"/server create web-2", true}, // the wizard asks
		{"/server create web-2 --flavr m1.nano", false},
		{"/mode ask", true},
		{"/mode auto", false},
		{"/help server add floating-ip", true},
		{"/help sever", false},
		{"what is running, and where?", true},
	} {
		if got := checkSlash(r, tt.line, true); (len(got) == 0) != tt.ok {
			t.Errorf("%s: problems %q, want ok=%v", tt.line, got, tt.ok)
		}
	}
	if !promptLine().MatchString("devcloud:demo@RegionOne> /server list") || !promptLine().MatchString("(no cloud)> /help") {
		t.Error("promptLine does not match the shell's prompt")
	}
	if promptLine().MatchString("flavor> m1.nano") {
		t.Error("promptLine matches a wizard question")
	}
}
