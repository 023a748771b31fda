//go:build linux

package repl

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// These tests run a small shell built from New and Loop in a child process
// whose standard streams are a pseudo-terminal, and type at it: raw mode,
// Ctrl-C as a key at the prompt and as SIGINT during a command, Tab and
// Ctrl-R behave as they will for a user.

const (
	helperEnv  = "OSTUI_REPL_PTY_HELPER"
	historyEnv = "OSTUI_REPL_PTY_HISTORY"
	prompt     = "ostui> "
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(runShell())
	}
	os.Exit(m.Run())
}

// runShell is the child process: a REPL whose commands echo what they got,
// and "block" waits for cancellation like a slow API call would.
func runShell() (code int) {
	ed, err := New(Config{
		HistoryFile: os.Getenv(historyEnv),
		Completer:   staticCompleter{"server", "service", "subnet"},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		if err := ed.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}()
	l := &Loop{
		Editor: ed,
		Prompt: func() string { return prompt },
		Handle: func(ctx context.Context, line string) (bool, error) {
			switch line {
			case "quit":
				return true, nil
			case "block":
				fmt.Println("blocking")
				<-ctx.Done()
				return false, ctx.Err()
			}
			fmt.Printf("got %q\n", line)
			return false, nil
		},
	}
	if err := l.Run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("bye")
	return 0
}

func TestShellOnPseudoTerminal(t *testing.T) {
	history := filepath.Join(t.TempDir(), "history")
	c := startShell(t, history)

	c.expect(prompt)
	c.send("server list\r")
	c.expect(`got "server list"`)

	c.expect(prompt)
	c.send(" export OS_PASSWORD=hunter2\r")
	c.expect(`got "export OS_PASSWORD=hunter2"`)

	// Ctrl-C at the prompt drops the line and prompts again.
	c.expect(prompt)
	c.send("delete all" + keyCtrlC)
	c.expect("^C")
	c.expect(prompt)

	// Ctrl-R finds the earlier command.
	c.send(keyCtrlR + "serv")
	c.expect("serv")
	c.send("\r")
	c.expect(`got "server list"`)

	// Tab completes a unique word ...
	c.expect(prompt)
	c.send("sub\t\r")
	c.expect(`got "subnet"`)

	// ... and lists candidates when they differ after the common prefix.
	c.expect(prompt)
	c.send("ser\t\t")
	c.expect("service")
	c.send("er\r")
	c.expect(`got "server"`)

	// Ctrl-C during a command cancels it, twice is still only a cancel,
	// and the shell carries on.
	c.expect(prompt)
	c.send("block\r")
	c.expect("blocking")
	c.send(keyCtrlC)
	c.expect("cancelled")
	c.expect(prompt)
	c.send("block\r")
	c.expect("blocking")
	c.send(keyCtrlC + keyCtrlC)
	c.expect("cancelled")
	c.expect(prompt)
	c.send("next\r")
	c.expect(`got "next"`)

	c.expect(prompt)
	c.send(keyCtrlD)
	c.expect("bye")
	if err := c.wait(); err != nil {
		t.Fatalf("shell exited with %v\noutput:\n%q", err, c.output())
	}

	data, err := os.ReadFile(history)
	if err != nil {
		t.Fatal(err)
	}
	// The repeated "server list" from Ctrl-R is stored once; the
	// space-prefixed line never.
	want := "server list\nsubnet\nserver\nblock\nnext\n"
	if got := string(data); got != want {
		t.Errorf("history file = %q, want %q", got, want)
	}
	assertMode(t, history, 0o600)
}

// console is the terminal side of a child shell: it records the child's
// output, answers its cursor-position queries as a terminal emulator would,
// and lets the test wait for text to appear.
type console struct {
	t      *testing.T
	master *os.File
	cmd    *exec.Cmd

	mu      sync.Mutex
	out     []byte
	matched int           // expect searches after this offset
	queried int           // cursor queries are looked for after this offset
	changed chan struct{} // poked when out grows
	closed  chan struct{} // closed when the child's side is gone
}

// cursorQuery is the "where is the cursor?" request readline sends before it
// prompts; it waits for the answer, so the console must give one.
var cursorQuery = []byte("\x1b[6n")

func startShell(t *testing.T, history string) *console {
	t.Helper()
	master, slave := openPTY(t)

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", historyEnv+"="+history, "TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	// Own session with the pty as controlling terminal, so Ctrl-C typed
	// in cooked mode becomes SIGINT for the child only.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start shell: %v", err)
	}
	// The child holds its own copy; EOF on master once it exits.
	if err := slave.Close(); err != nil {
		t.Errorf("close pty slave: %v", err)
	}

	c := &console{
		t: t, master: master, cmd: cmd,
		changed: make(chan struct{}, 1),
		closed:  make(chan struct{}),
	}
	go c.read()
	t.Cleanup(func() {
		// Both fail harmlessly when the test already waited for the shell.
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if err := master.Close(); err != nil {
			t.Errorf("close pty master: %v", err)
		}
	})
	return c
}

func (c *console) read() {
	defer close(c.closed)
	buf := make([]byte, 4096)
	for {
		n, err := c.master.Read(buf)
		if n > 0 {
			c.mu.Lock()
			c.out = append(c.out, buf[:n]...)
			answers := c.pendingQueries()
			c.mu.Unlock()
			for range answers {
				// Fails only once master is closed, which ends this loop.
				_, _ = c.master.Write([]byte("\x1b[1;1R"))
			}
			select {
			case c.changed <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

// pendingQueries counts cursor queries not yet answered. c.mu must be held.
func (c *console) pendingQueries() int {
	n := 0
	for {
		i := bytes.Index(c.out[c.queried:], cursorQuery)
		if i < 0 {
			// Keep a possibly split query at the end for the next read.
			c.queried = max(c.queried, len(c.out)-len(cursorQuery)+1)
			return n
		}
		c.queried += i + len(cursorQuery)
		n++
	}
}

// expect waits until s appears in the output after the previous match.
func (c *console) expect(s string) {
	c.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		i := bytes.Index(c.out[c.matched:], []byte(s))
		if i >= 0 {
			c.matched += i + len(s)
		}
		c.mu.Unlock()
		if i >= 0 {
			return
		}
		select {
		case <-c.changed:
		case <-c.closed:
			c.mu.Lock()
			found := bytes.Contains(c.out[c.matched:], []byte(s))
			c.mu.Unlock()
			if !found {
				c.t.Fatalf("shell exited before printing %q; output:\n%q", s, c.output())
			}
		case <-timeout:
			c.t.Fatalf("timed out waiting for %q; output:\n%q", s, c.output())
		}
	}
}

func (c *console) send(keys string) {
	c.t.Helper()
	if _, err := c.master.Write([]byte(keys)); err != nil {
		c.t.Fatalf("type %q: %v", keys, err)
	}
}

func (c *console) wait() error { return c.cmd.Wait() }

func (c *console) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.out)
}

// openPTY allocates a pseudo-terminal pair of 80x24 characters. It uses the
// Linux /dev/ptmx interface directly rather than adding a module for it.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	var n int
	err = control(master, func(fd int) error {
		if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
			return fmt.Errorf("unlock pty: %w", err)
		}
		n, err = unix.IoctlGetInt(fd, unix.TIOCGPTN)
		if err != nil {
			return fmt.Errorf("pty number: %w", err)
		}
		return nil
	})
	if err != nil {
		_ = master.Close() // already failing
		t.Fatal(err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		_ = master.Close() // already failing
		t.Fatalf("open pty slave: %v", err)
	}
	err = control(slave, func(fd int) error {
		return unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80})
	})
	if err != nil {
		_ = master.Close() // already failing
		_ = slave.Close()
		t.Fatalf("set pty size: %v", err)
	}
	return master, slave
}

// control runs f on f's descriptor without File.Fd, which would switch the
// file to blocking mode and stop Close from interrupting a pending Read.
func control(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var fnErr error
	if err := rc.Control(func(fd uintptr) { fnErr = fn(int(fd)) }); err != nil {
		return err
	}
	return fnErr
}
