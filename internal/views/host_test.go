package views

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// counter quits on q and counts the keys it saw.
type counter struct{ keys int }

func (c counter) Init() tea.Cmd { return nil }
func (c counter) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if k.String() == "q" {
			return c, tea.Quit
		}
		c.keys++
	}
	return c, nil
}
func (c counter) View() tea.View { return tea.NewView("keys: " + strings.Repeat("*", c.keys)) }

func TestRunShowsTheViewOnTheAlternateScreenAndReturnsIt(t *testing.T) {
	var out bytes.Buffer
	suspended, resumed := false, false
	final, err := Run(t.Context(), counter{}, Options{
		In:      strings.NewReader("abq"),
		Out:     &out,
		Width:   40,
		Height:  5,
		Env:     []string{"TERM=xterm-256color"},
		Suspend: func() func() { suspended = true; return func() { resumed = true } },
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := final.(counter); !ok || c.keys != 2 {
		t.Errorf("final model %#v, want counter with 2 keys", final)
	}
	if !suspended || !resumed {
		t.Errorf("suspend %v, resume %v", suspended, resumed)
	}
	s := out.String()
	if !strings.Contains(s, ansi.SetModeAltScreenSaveCursor) || !strings.Contains(s, ansi.ResetModeAltScreenSaveCursor) {
		t.Errorf("the view did not enter and leave the alternate screen: %q", s)
	}
}

func TestRunEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	pr, pw := io.Pipe()
	defer func() { _ = pw.Close() }()
	_, err := Run(ctx, counter{}, Options{In: pr, Out: io.Discard, Width: 20, Height: 3})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run after cancel = %v, want context.Canceled", err)
	}
}

func TestHelpBarListsEnabledKeysThatFit(t *testing.T) {
	st := NewStyles(false)
	off := Binding("x", "hidden", "x")
	off.SetEnabled(false)
	got := HelpBar(st, 0, Binding("/", "filter", "/"), off, Binding("q", "leave", "q"))
	if plain := ansi.Strip(got); plain != "/ filter  q leave" {
		t.Errorf("help bar %q", plain)
	}
	if plain := ansi.Strip(HelpBar(st, 12, Binding("/", "filter", "/"), Binding("q", "leave", "q"))); plain != "/ filter" {
		t.Errorf("narrow help bar %q: a key that does not fit is left out whole", plain)
	}
}

func TestLineInput(t *testing.T) {
	in := LineInput{}
	for _, k := range []tea.KeyPressMsg{{Code: 'a', Text: "a"}, {Code: tea.KeySpace, Text: " "}, {Code: 'b', Text: "b"}, {Code: tea.KeyBackspace}, {Code: 'c', Text: "c"}} {
		in.Update(k)
	}
	if in.Value != "a c" {
		t.Errorf("value %q", in.Value)
	}
	in.Update(tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl})
	if in.Value != "a " {
		t.Errorf("ctrl+w left %q", in.Value)
	}
	if in.Update(tea.KeyPressMsg{Code: 'x', Text: "\x1b"}) {
		t.Error("a control character was taken as text")
	}
}

func TestStatusColoursMatchTables(t *testing.T) {
	st := NewStyles(true)
	for status, want := range map[string]string{"ACTIVE": "32", "ERROR": "31", "BUILD": "33", "weird": ""} {
		got := st.Status(status)
		if want == "" {
			if got != status {
				t.Errorf("%s painted %q", status, got)
			}
			continue
		}
		if !strings.Contains(got, "\x1b[") || !strings.Contains(got, want) {
			t.Errorf("%s painted %q, want SGR %s like the table output", status, got, want)
		}
	}
	if got := NewStyles(false).Status("ERROR"); got != "ERROR" {
		t.Errorf("NO_COLOR painted %q", got)
	}
}
