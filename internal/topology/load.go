package topology

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/kriscelmer/os-tui/tools"
)

// MaxRouters bounds the per-router port reads Load makes when the port
// list has no Device ID column.
const MaxRouters = 50

// Load reads the lists a topology is built from through read (the
// engine's read path), the six at once. A list that cannot be read is
// left out and named in skipped with why (explain turns an error into a
// sentence; nil uses its text); err is the first error when nothing at
// all could be read. Router interfaces come from the port list's Device
// ID; without it, from one port list per router.
func Load(ctx context.Context, read func(ctx context.Context, tool string, args map[string]any) (*tools.Result, error), explain func(error) error) (in Input, skipped []string, err error) {
	if explain == nil {
		explain = func(e error) error { return e }
	}
	type want struct {
		tool string
		dst  **tools.List
	}
	var ports *tools.List
	wants := []want{
		{"network.list", &in.Networks}, {"subnet.list", &in.Subnets}, {"router.list", &in.Routers},
		{"floating-ip.list", &in.FloatingIPs}, {"server.list", &in.Servers}, {"port.list", &ports},
	}
	errs := make([]error, len(wants))
	var wg sync.WaitGroup
	for i, w := range wants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := read(ctx, w.tool, nil)
			if err != nil {
				errs[i] = err
				return
			}
			if res != nil {
				*w.dst = res.List
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return in, nil, ctx.Err()
	}
	failed := 0
	for i, e := range errs {
		if e == nil {
			continue
		}
		failed++
		if err == nil {
			err = e
		}
		if wants[i].tool != "port.list" {
			first, _, _ := strings.Cut(explain(e).Error(), "\n")
			skipped = append(skipped, wants[i].tool+": "+first)
		}
	}
	if failed == len(wants) {
		// Nothing could be read (no cloud, no network): one error.
		return in, nil, err
	}
	in.RouterPorts = map[string]*tools.List{}
	if in.Routers == nil {
		return in, skipped, nil
	}
	ids := listIDs(in.Routers)
	if ports != nil && hasColumn(ports, "Device ID") {
		pr := tools.RowsOf(ports)
		byRouter := map[string]*tools.List{}
		for _, id := range ids {
			byRouter[id] = &tools.List{Columns: ports.Columns}
		}
		pr.Each(func(row []any) {
			if l, ok := byRouter[pr.Str(row, "Device ID")]; ok {
				l.Rows = append(l.Rows, row)
			}
		})
		in.RouterPorts = byRouter
		return in, skipped, nil
	}
	if len(ids) > MaxRouters {
		skipped = append(skipped, fmt.Sprintf("port.list: interfaces of only the first %d routers are shown", MaxRouters))
		ids = ids[:MaxRouters]
	}
	var mu sync.Mutex
	sem := make(chan struct{}, 4)
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res, err := read(ctx, "port.list", map[string]any{"router": id})
			if err != nil || res == nil || res.List == nil {
				return
			}
			mu.Lock()
			in.RouterPorts[id] = res.List
			mu.Unlock()
		}()
	}
	wg.Wait()
	return in, skipped, ctx.Err()
}

func listIDs(l *tools.List) []string {
	r := tools.RowsOf(l)
	var out []string
	r.Each(func(row []any) {
		if id := r.Str(row, "ID"); id != "" {
			out = append(out, id)
		}
	})
	return out
}

func hasColumn(l *tools.List, name string) bool {
	for _, c := range l.Columns {
		if c.Name == name {
			return true
		}
	}
	return false
}
