package session

import (
	"fmt"
	"sync"
)

// State is where a turn stands. A turn is one request of the person (a
// slash command, a model request, a recipe run, an MCP call) from input
// to outcome; "waiting for approval" is a real state of it, not a prompt
// buried in a tool.
type State int

// The states of a turn.
const (
	Idle State = iota
	// Planning: the model is answering or choosing reads.
	Planning
	// Reviewing: a plan is validated, preflighted and dry-run.
	Reviewing
	// AwaitingApproval: the Approver has the review.
	AwaitingApproval
	// Executing: the executor runs the approved plan.
	Executing
	// Done, Failed, Cancelled end a turn.
	Done
	Failed
	Cancelled
)

var stateNames = [...]string{"idle", "planning", "reviewing", "awaiting approval", "executing", "done", "failed", "cancelled"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// Final reports whether a turn in s has ended.
func (s State) Final() bool { return s == Done || s == Failed || s == Cancelled }

// transitions lists where each state may go. A model turn loops between
// planning and the plan states: a proposal is reviewed, approved or
// denied, run, and the model continues with the outcome.
var transitions = map[State][]State{
	Idle:     {Planning, Reviewing, Done, Failed, Cancelled},
	Planning: {Reviewing, Done, Failed, Cancelled},
	// Reviewing goes straight to Executing when a session grant approves
	// the plan: nobody is asked.
	Reviewing:        {AwaitingApproval, Executing, Reviewing, Planning, Done, Failed, Cancelled},
	AwaitingApproval: {Executing, Reviewing, Planning, Done, Failed, Cancelled},
	Executing:        {Reviewing, Planning, Done, Failed, Cancelled},
}

func allowed(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// turn tracks one turn's state and announces each change.
type turn struct {
	id    int
	emit  func(Event)
	mu    sync.Mutex
	state State
}

// to moves the turn to s. A move the machine does not allow is a bug in
// the engine; it is reported as a Failure event (tests fail on it) and
// the state is left as it was rather than crashing a person's shell.
func (t *turn) to(s State) {
	t.mu.Lock()
	from := t.state
	if from == s && s != Reviewing {
		t.mu.Unlock()
		return
	}
	if from.Final() || !allowed(from, s) {
		t.mu.Unlock()
		t.emit(Failure{Err: fmt.Errorf("internal: turn %d cannot go from %s to %s", t.id, from, s)})
		return
	}
	t.state = s
	t.mu.Unlock()
	t.emit(StateChanged{Turn: t.id, From: from, To: s})
}
