// Package catalog holds the catalog tool: the cloud's services, where
// ostui reaches them, and which microversions each one speaks.
package catalog

import (
	"context"
	"fmt"

	"github.com/kriscelmer/os-tui/tools"
)

// Tools returns the catalog tool.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("catalog", "identity", list),
	}
}

// Args are the (no) arguments of catalog.
type Args struct{}

// Microversions renders a service's range as "2.1–2.93", or "" when the
// service has none.
func Microversions(minV, maxV string) string {
	switch {
	case minV == "" && maxV == "":
		return ""
	case minV == "":
		return "–" + maxV
	case maxV == "":
		return minV + "–"
	}
	return minV + "–" + maxV
}

func list(ctx context.Context, env *tools.Env, _ Args) (*tools.Result, error) {
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the service catalog: %w", err)
	}
	out := &tools.List{Columns: []tools.Column{
		{Name: "Name"}, {Name: "Type"}, {Name: "Endpoint"}, {Name: "Version"}, {Name: "Microversions"},
		{Name: "Region", Long: true},
	}}
	for _, s := range caps.Sorted() {
		out.Rows = append(out.Rows, []any{s.Name, s.Type, s.Endpoint, s.Version, Microversions(s.MinMicroversion, s.MaxMicroversion), s.Region})
	}
	return &tools.Result{List: out}, nil
}
