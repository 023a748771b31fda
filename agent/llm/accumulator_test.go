package llm

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	openai "github.com/sashabaranov/go-openai"
)

// d builds a delta; index < 0 means none.
func d(index int, id, name, args string) openai.ToolCall {
	tc := openai.ToolCall{ID: id, Function: openai.FunctionCall{Name: name, Arguments: args}}
	if index >= 0 {
		tc.Index = &index
	}
	return tc
}

func TestAccumulator(t *testing.T) {
	tests := []struct {
		name    string
		deltas  []openai.ToolCall
		want    []ToolCall
		wantErr string
	}{
		{name: "no calls", want: nil},
		{
			name: "one call, arguments in pieces",
			deltas: []openai.ToolCall{
				d(0, "call_a", "server_list", ""),
				d(0, "", "", `{"sta`),
				d(0, "", "", `tus":"ERROR"}`),
			},
			want: []ToolCall{{ID: "call_a", Name: "server_list", Arguments: `{"status":"ERROR"}`}},
		},
		{
			name: "three calls interleaved",
			deltas: []openai.ToolCall{
				d(0, "a", "server_show", `{"na`),
				d(1, "b", "server_show", ""),
				d(2, "c", "volume_list", `{}`),
				d(1, "", "", `{"name":`),
				d(0, "", "", `me":"web-1"}`),
				d(1, "", "", `"web-2"}`),
			},
			want: []ToolCall{
				{ID: "a", Name: "server_show", Arguments: `{"name":"web-1"}`},
				{ID: "b", Name: "server_show", Arguments: `{"name":"web-2"}`},
				{ID: "c", Name: "volume_list", Arguments: `{}`},
			},
		},
		{
			name: "indexes need not start at zero",
			deltas: []openai.ToolCall{
				d(3, "x", "f", `{"a":`),
				d(3, "", "", `1}`),
			},
			want: []ToolCall{{ID: "x", Name: "f", Arguments: `{"a":1}`}},
		},
		{
			name: "repeated id and name do not double",
			deltas: []openai.ToolCall{
				d(0, "a", "f", `{"x"`),
				d(0, "a", "f", `:1}`),
			},
			want: []ToolCall{{ID: "a", Name: "f", Arguments: `{"x":1}`}},
		},
		{
			name: "no index, one call in flight",
			deltas: []openai.ToolCall{
				d(-1, "a", "f", `{"x"`),
				d(-1, "", "", `:1}`),
			},
			want: []ToolCall{{ID: "a", Name: "f", Arguments: `{"x":1}`}},
		},
		{
			name: "no index, calls told apart by id",
			deltas: []openai.ToolCall{
				d(-1, "a", "f", `{}`),
				d(-1, "b", "g", `{"y":`),
				d(-1, "b", "", `2}`),
			},
			want: []ToolCall{
				{ID: "a", Name: "f", Arguments: `{}`},
				{ID: "b", Name: "g", Arguments: `{"y":2}`},
			},
		},
		{
			name: "no index and no id, calls told apart by name",
			deltas: []openai.ToolCall{
				d(-1, "", "f", `{}`),
				d(-1, "", "g", `{}`),
			},
			want: []ToolCall{
				{ID: "call_0", Name: "f", Arguments: `{}`},
				{ID: "call_1", Name: "g", Arguments: `{}`},
			},
		},
		{
			name: "no index, no id, several in flight",
			deltas: []openai.ToolCall{
				d(0, "a", "f", ""),
				d(1, "b", "g", ""),
				d(-1, "", "", `{}`),
			},
			wantErr: "2 calls are in flight",
		},
		{
			name:   "missing id and arguments are filled",
			deltas: []openai.ToolCall{d(0, "", "server_list", "")},
			want:   []ToolCall{{ID: "call_0", Name: "server_list", Arguments: "{}"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var acc accumulator
			var err error
			for _, delta := range tt.deltas {
				if err = acc.add(delta); err != nil {
					break
				}
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if diff := cmp.Diff(tt.want, acc.result()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}
