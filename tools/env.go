package tools

import (
	"context"
	"sort"
	"sync"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/internal/cloud"
)

// Clients hands tools what they need of the cloud. internal/cloud
// implements it against a real cloud; tools/toolstest against a fake one.
type Clients interface {
	// ServiceClient returns a client for a catalog service type with the
	// cloud's negotiated default microversion. The client is a copy: a tool
	// may change its Microversion without affecting others.
	ServiceClient(ctx context.Context, serviceType string) (*gophercloud.ServiceClient, error)
	// Capabilities returns the catalog and microversion ranges.
	Capabilities(ctx context.Context) (*cloud.Capabilities, error)
	// Token returns the current token's ID, authenticating if needed.
	// It never reaches output; whoami uses it to read its own token.
	Token(ctx context.Context) (string, error)
}

// Env is what every tool function receives.
type Env struct {
	Clients Clients
	// Lookups memoises ID→name maps (flavors, images, networks) for the
	// session, so list output can show names without refetching them.
	Lookups *Lookups
	// Names remembers resource names seen in recent output, for tab
	// completion.
	Names *Names
}

// NewEnv returns an Env with empty caches.
func NewEnv(c Clients) *Env {
	return &Env{Clients: c, Lookups: &Lookups{}, Names: &Names{}}
}

// Lookups memoises ID→name maps per kind for a session.
type Lookups struct {
	mu   sync.Mutex
	maps map[string]map[string]string
}

// Name returns the name of the resource of the given kind and ID. On a miss
// it calls fetch once to refresh the whole map for that kind (one list call
// instead of one call per row). An unknown ID returns "".
func (l *Lookups) Name(ctx context.Context, kind, id string, fetch func(ctx context.Context) (map[string]string, error)) (string, error) {
	if id == "" {
		return "", nil
	}
	l.mu.Lock()
	m, ok := l.maps[kind]
	if ok {
		if name, found := m[id]; found {
			l.mu.Unlock()
			return name, nil
		}
	}
	l.mu.Unlock()
	fresh, err := fetch(ctx)
	if err != nil {
		return "", err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.maps == nil {
		l.maps = map[string]map[string]string{}
	}
	if fresh == nil {
		fresh = map[string]string{}
	}
	// Remember misses too, so a deleted image does not refetch every row.
	if _, found := fresh[id]; !found {
		fresh[id] = ""
	}
	l.maps[kind] = fresh
	return fresh[id], nil
}

// Forget drops the cached map for a kind (after a change).
func (l *Lookups) Forget(kind string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.maps, kind)
}

// Names keeps recently seen resource names per kind for completion.
type Names struct {
	mu    sync.Mutex
	kinds map[string]map[string]struct{}
}

// Remember records names of a kind ("server", "network", ...).
func (n *Names) Remember(kind string, names ...string) {
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.kinds == nil {
		n.kinds = map[string]map[string]struct{}{}
	}
	set := n.kinds[kind]
	if set == nil {
		set = map[string]struct{}{}
		n.kinds[kind] = set
	}
	for _, name := range names {
		if name != "" {
			set[name] = struct{}{}
		}
	}
}

// Replace sets the names of a kind to exactly the given ones (after a full list).
func (n *Names) Replace(kind string, names ...string) {
	if n == nil {
		return
	}
	n.mu.Lock()
	if n.kinds != nil {
		delete(n.kinds, kind)
	}
	n.mu.Unlock()
	n.Remember(kind, names...)
}

// Of returns the remembered names of a kind, sorted.
func (n *Names) Of(kind string) []string {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]string, 0, len(n.kinds[kind]))
	for name := range n.kinds[kind] {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
