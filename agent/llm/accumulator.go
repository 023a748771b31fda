package llm

import (
	"fmt"
	"strconv"

	openai "github.com/sashabaranov/go-openai"
)

// accumulator assembles whole tool calls from streamed deltas.
//
// Streams send each call's id and name in its first delta and its
// arguments in pieces, each delta tagged with the call's index; with
// parallel calls the pieces of several calls may interleave. Some servers
// leave the index out: a delta without one belongs to the call with the
// same id, or else to the only call in flight.
type accumulator struct {
	calls   []ToolCall  // in order of first appearance
	byIndex map[int]int // delta index → position in calls
	byID    map[string]int
}

// add folds one delta into the calls assembled so far.
func (a *accumulator) add(d openai.ToolCall) error {
	if a.byIndex == nil {
		a.byIndex = map[int]int{}
		a.byID = map[string]int{}
	}
	pos, err := a.position(d)
	if err != nil {
		return err
	}
	call := &a.calls[pos]
	if call.ID == "" && d.ID != "" {
		call.ID = d.ID
		a.byID[d.ID] = pos
	}
	// Names arrive whole in the first delta; some servers repeat them in
	// later deltas, which must not double the name.
	if call.Name == "" {
		call.Name = d.Function.Name
	}
	call.Arguments += d.Function.Arguments
	return nil
}

// position finds the call a delta belongs to, starting a new one if needed.
func (a *accumulator) position(d openai.ToolCall) (int, error) {
	if d.Index != nil {
		if pos, ok := a.byIndex[*d.Index]; ok {
			return pos, nil
		}
		pos := a.start()
		a.byIndex[*d.Index] = pos
		return pos, nil
	}
	if d.ID != "" {
		if pos, ok := a.byID[d.ID]; ok {
			return pos, nil
		}
		return a.start(), nil
	}
	switch len(a.calls) {
	case 0:
		return a.start(), nil
	case 1:
		// A different name cannot continue the call in flight: it is a
		// second call from a server that numbers nothing.
		if d.Function.Name != "" && a.calls[0].Name != "" && d.Function.Name != a.calls[0].Name {
			return a.start(), nil
		}
		return 0, nil
	default:
		return 0, fmt.Errorf("a streamed tool-call delta has neither index nor id while %d calls are in flight", len(a.calls))
	}
}

func (a *accumulator) start() int {
	a.calls = append(a.calls, ToolCall{})
	return len(a.calls) - 1
}

// result returns the assembled calls. A call the server sent without an
// id gets one, because the tool message answering it must name it; a call
// without arguments gets "{}", because schema validation downstream wants
// a JSON object, not empty text.
func (a *accumulator) result() []ToolCall {
	if len(a.calls) == 0 {
		return nil
	}
	out := make([]ToolCall, len(a.calls))
	copy(out, a.calls)
	for i := range out {
		if out[i].ID == "" {
			out[i].ID = "call_" + strconv.Itoa(i)
		}
		if out[i].Arguments == "" {
			out[i].Arguments = "{}"
		}
	}
	return out
}
