package tools

import "context"

// PageSink takes a list's rows a page at a time, as the cloud sends
// them. A caller that reads a very long list without keeping it (the
// inventory export) puts one in the context of a list tool's Run.
type PageSink func(cols []Column, rows [][]any) error

type pageSinkKey struct{}

// WithPageSink returns ctx carrying sink. A list tool that streams (see
// PageSinkOf) hands it every page's rows, in order, and returns a List
// with its Columns and no Rows; one that does not ignores it and returns
// its rows as usual, so a caller must take both.
func WithPageSink(ctx context.Context, sink PageSink) context.Context {
	return context.WithValue(ctx, pageSinkKey{}, sink)
}

// PageSinkOf is the sink in ctx, nil without one. A list tool streams
// only when it can give its rows in the cloud's order with nothing
// gathered first (no sorting, no limit).
func PageSinkOf(ctx context.Context) PageSink {
	s, _ := ctx.Value(pageSinkKey{}).(PageSink)
	return s
}
