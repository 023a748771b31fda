package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Package initialisation runs on every start, even `ostui --version`, so
// work a package can do on first use (compiling a regexp, parsing a
// template, building a table) must not be done at init. These budgets are
// allocations, not time: allocation counts are the same on a busy machine
// as on an idle one. scripts/bench measures the time against the floor.
const (
	initAllocBudget  = 250      // all of our packages together
	initBytesBudget  = 64 << 10 // likewise
	initPackageAlloc = 40       // any one package
	modulePrefix     = "github.com/kriscelmer/os-tui/"
)

// TestInitIsCheap starts this test binary (which links every package
// ostui does, and the test helpers) with GODEBUG=inittrace=1 and adds up
// what our packages' init functions allocate.
func TestInitIsCheap(t *testing.T) {
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	type cost struct {
		pkg           string
		allocs, bytes int
	}
	var costs []cost
	var allocs, size int
	sc := bufio.NewScanner(bytes.NewReader(stderr.Bytes()))
	for sc.Scan() {
		// init github.com/x/y @0.5 ms, 0.01 ms clock, 1234 bytes, 5 allocs
		f := strings.Fields(sc.Text())
		// cmd/ostui itself is this test's package: its init is the test
		// files' (and coverage's); the shipped main.go has none.
		if len(f) != 11 || f[0] != "init" || !strings.HasPrefix(f[1], modulePrefix) || f[1] == modulePrefix+"cmd/ostui" {
			continue
		}
		b, _ := strconv.Atoi(f[7])
		a, _ := strconv.Atoi(f[9])
		costs = append(costs, cost{strings.TrimPrefix(f[1], modulePrefix), a, b})
		allocs += a
		size += b
	}
	if len(costs) == 0 {
		t.Fatalf("no init trace of our packages in:\n%s", stderr.String())
	}
	sort.Slice(costs, func(i, j int) bool { return costs[i].allocs > costs[j].allocs })
	var top strings.Builder
	for _, c := range costs[:min(8, len(costs))] {
		fmt.Fprintf(&top, "  %-40s %4d allocs %7d bytes\n", c.pkg, c.allocs, c.bytes)
	}
	t.Logf("our packages' init: %d allocs, %d bytes; the largest:\n%s", allocs, size, top.String())
	if allocs > initAllocBudget || size > initBytesBudget {
		t.Errorf("our packages' init allocates %d times, %d bytes (budget %d, %d): make the work lazy (sync.OnceValue); the largest:\n%s",
			allocs, size, initAllocBudget, initBytesBudget, top.String())
	}
	for _, c := range costs {
		if c.allocs > initPackageAlloc {
			t.Errorf("%s allocates %d times at init (budget %d a package): compile or build it on first use", c.pkg, c.allocs, initPackageAlloc)
		}
	}
}
