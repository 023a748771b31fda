package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/testscript"
)

// isolate points HOME, caches and state into the script's work dir and
// clears any OS_* or model settings inherited from the developer's shell.
func isolate(env *testscript.Env) {
	env.Setenv("HOME", env.WorkDir)
	env.Setenv("XDG_CONFIG_HOME", env.WorkDir+"/.config")
	env.Setenv("OSTUI_CACHE_DIR", env.WorkDir+"/.cache/ostui")
	env.Setenv("OSTUI_STATE_DIR", env.WorkDir+"/.state/ostui")
	env.Setenv("NO_COLOR", "1")
	env.Setenv("COLUMNS", "200")
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "OS_") || strings.HasPrefix(k, "OPENAI_") || strings.HasPrefix(k, "AZURE_OPENAI") || k == "GITHUB_TOKEN" {
			env.Setenv(k, "")
		}
	}
}

func scriptCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	cmds := map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"cmpjson":   cmpJSON,
		"fakemodel": fakeModel,
		"fakeoauth": fakeOAuth,
		"chmod":     chmod,
		"perm":      perm,
		// validaterows FILE: a JSON Lines export against schemas/export
		"validaterows": validateRows,
	}
	for name, f := range loginCmds() {
		cmds[name] = f
	}
	return cmds
}

// cmpJSON compares two JSON documents on chosen fields:
//
//	cmpjson GOT WANT FIELD...     FIELD may be "ours=theirs" when names differ
//
// Arrays are compared as sets of objects reduced to the fields (order does
// not matter); objects are compared on the fields. Numbers compare by value.
func cmpJSON(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 {
		ts.Fatalf("usage: cmpjson GOT WANT FIELD...")
	}
	got := decodeJSON(ts, args[0])
	want := decodeJSON(ts, args[1])
	var ours, theirs []string
	for _, f := range args[2:] {
		o, t, ok := strings.Cut(f, "=")
		if !ok {
			t = o
		}
		ours, theirs = append(ours, o), append(theirs, t)
	}
	if arr, ok := want.([]any); ok && len(arr) == 0 && !neg {
		// Two empty lists agree on everything: a comparison that cannot fail.
		ts.Fatalf("%s is an empty list: create what the comparison needs first", args[1])
	}
	g, w := reduce(ts, got, ours, theirs), reduce(ts, want, theirs, theirs)
	diff := cmp.Diff(w, g)
	if neg {
		if diff == "" {
			ts.Fatalf("%s and %s agree on %v", args[0], args[1], args[2:])
		}
		return
	}
	if diff != "" {
		ts.Fatalf("%s differs from %s (-want +got):\n%s", args[0], args[1], diff)
	}
}

func decodeJSON(ts *testscript.TestScript, name string) any {
	var v any
	if err := json.Unmarshal([]byte(ts.ReadFile(name)), &v); err != nil {
		ts.Fatalf("%s is not JSON: %v", name, err)
	}
	return v
}

// reduce keeps fields (read under names `from`, stored under names `as`)
// and, for arrays, sorts the reduced objects into a canonical order.
func reduce(ts *testscript.TestScript, v any, from, as []string) any {
	pick := func(o any) map[string]string {
		m, ok := o.(map[string]any)
		if !ok {
			ts.Fatalf("expected a JSON object, got %T", o)
		}
		out := map[string]string{}
		for i, f := range from {
			val, ok := m[f]
			if !ok {
				ts.Fatalf("no field %q in %v", f, keys(m))
			}
			out[as[i]] = canonical(val)
		}
		return out
	}
	if arr, ok := v.([]any); ok {
		var rows []map[string]string
		for _, o := range arr {
			rows = append(rows, pick(o))
		}
		sort.Slice(rows, func(i, j int) bool { return fmt.Sprint(rows[i]) < fmt.Sprint(rows[j]) })
		return rows
	}
	return pick(v)
}

func canonical(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return fmt.Sprint(x)
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, canonical(e))
		}
		sort.Strings(parts)
		return strings.Join(parts, ",")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// chmod MODE FILE (octal), for permission warnings.
func chmod(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: chmod MODE FILE")
	}
	var mode uint32
	if _, err := fmt.Sscanf(args[0], "%o", &mode); err != nil {
		ts.Fatalf("bad mode %q", args[0])
	}
	ts.Check(os.Chmod(ts.MkAbs(args[1]), os.FileMode(mode)))
}

// perm FILE MODE asserts a file's permission bits (octal).
func perm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: perm FILE MODE")
	}
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	got := fmt.Sprintf("%o", fi.Mode().Perm())
	if (got == args[1]) == neg {
		ts.Fatalf("%s has mode %s, want %s%s", args[0], got, map[bool]string{true: "not ", false: ""}[neg], args[1])
	}
}
