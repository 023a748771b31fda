package tea

// Tests of the ostui patch: the renderer sleeps while nothing changes,
// draws the first change after a quiet spell at once, and coalesces bursts.

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type setText string

type textModel struct{ text string }

func (m textModel) Init() Cmd { return nil }

func (m textModel) Update(msg Msg) (Model, Cmd) {
	if t, ok := msg.(setText); ok {
		m.text = string(t)
	}
	return m, nil
}

func (m textModel) View() View { return NewView(m.text) }

// startText runs a program showing text and waits for its first frame.
func startText(t *testing.T, text string) (*Program, *lockedBuffer) {
	t.Helper()
	out := &lockedBuffer{}
	p := NewProgram(textModel{text: text}, WithInput(nil), WithOutput(out), WithWindowSize(80, 24))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = p.Run()
	}()
	t.Cleanup(func() {
		p.Quit()
		<-done
	})
	waitFor(t, out, text)
	return p, out
}

func waitFor(t *testing.T, out *lockedBuffer, text string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("%q never drawn; output so far: %q", text, out.String())
		}
		time.Sleep(time.Millisecond)
	}
}

func TestRendererSleepsWhileNothingChanges(t *testing.T) {
	p, _ := startText(t, "static")
	// Let the trailing frame interval pass, then watch a quiet spell that a
	// fixed 60 fps ticker would have woken up for about 18 times.
	time.Sleep(100 * time.Millisecond)
	before := p.draws.Load()
	time.Sleep(300 * time.Millisecond)
	if woke := p.draws.Load() - before; woke != 0 {
		t.Fatalf("the renderer woke %d times in 300 ms with nothing to draw; want 0", woke)
	}
}

func TestRendererDrawsTheFirstChangeAfterIdleAtOnce(t *testing.T) {
	p, out := startText(t, "before")
	time.Sleep(100 * time.Millisecond) // asleep now
	before := p.draws.Load()
	p.Send(setText("after"))
	waitFor(t, out, "after")
	if p.draws.Load() <= before {
		t.Fatal("the change was drawn without the renderer waking")
	}
}

func TestRendererCoalescesBursts(t *testing.T) {
	p, out := startText(t, "start")
	time.Sleep(100 * time.Millisecond)
	before := p.draws.Load()
	const updates = 300
	for i := range updates {
		p.Send(setText("n" + strings.Repeat("x", i%7)))
	}
	p.Send(setText("last"))
	waitFor(t, out, "last")
	if drew := p.draws.Load() - before; drew >= updates/2 {
		t.Fatalf("%d updates took %d frames; bursts should coalesce", updates, drew)
	}
}
