package tools

import (
	"context"
	"errors"
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
	// Progress receives a running step's progress; nil outside the
	// executor. Use Report, which is nil-safe.
	Progress Progress
	// who caches CurrentIdentity per token (nil: no cache).
	who *whoCache
}

// Report returns env.Progress, or a Progress that drops everything.
func (e *Env) Report() Progress {
	if e == nil || e.Progress == nil {
		return discard{}
	}
	return e.Progress
}

type discard struct{}

func (discard) Status(string)      {}
func (discard) Bytes(int64, int64) {}

// NewEnv returns an Env with empty caches.
func NewEnv(c Clients) *Env {
	return &Env{Clients: c, Lookups: &Lookups{}, Names: &Names{}, who: &whoCache{}}
}

// Lookups memoises ID→name maps per kind for a session. A map is loaded
// at most once at a time: a Name call that finds a load in flight (for
// example one started by Prefetch) waits for it instead of fetching again.
type Lookups struct {
	mu    sync.Mutex
	maps  map[string]map[string]string
	loads map[string]*lookupLoad
	// failed keeps the error of a background load until a Name call
	// reports it, so a failing service is asked once, not twice.
	failed map[string]error
}

type lookupLoad struct {
	done chan struct{}
	m    map[string]string
	err  error
}

// FetchFunc lists every resource of a kind as an ID→name map.
type FetchFunc func(ctx context.Context) (map[string]string, error)

// Prefetch starts loading the map of a kind in the background unless it
// is cached or already loading, so that the list call overlaps with other
// work (a server list fetches image names while Nova answers).
func (l *Lookups) Prefetch(ctx context.Context, kind string, fetch FetchFunc) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, cached := l.maps[kind]; cached {
		return
	}
	if _, loading := l.loads[kind]; loading {
		return
	}
	l.startLocked(ctx, kind, fetch)
}

// startLocked begins a load; l.mu must be held.
func (l *Lookups) startLocked(ctx context.Context, kind string, fetch FetchFunc) *lookupLoad {
	if l.loads == nil {
		l.loads = map[string]*lookupLoad{}
	}
	ld := &lookupLoad{done: make(chan struct{})}
	l.loads[kind] = ld
	go func() {
		m, err := fetch(ctx)
		l.mu.Lock()
		defer l.mu.Unlock()
		ld.m, ld.err = m, err
		switch {
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			// The command that started the load was cancelled; that says
			// nothing about the service, so the next command asks again.
		case err != nil:
			if l.failed == nil {
				l.failed = map[string]error{}
			}
			l.failed[kind] = err
		default:
			delete(l.failed, kind)
			if l.maps == nil {
				l.maps = map[string]map[string]string{}
			}
			if m == nil {
				m = map[string]string{}
			}
			ld.m = m
			l.maps[kind] = m
		}
		delete(l.loads, kind)
		close(ld.done)
	}()
	return ld
}

// Name returns the name of the resource of the given kind and ID. On a miss
// it loads the whole map for that kind (one list call instead of one call
// per row). An unknown ID returns "" and is remembered as unknown, so a
// deleted image does not refetch for every row.
func (l *Lookups) Name(ctx context.Context, kind, id string, fetch FetchFunc) (string, error) {
	if id == "" {
		return "", nil
	}
	refetched := false
	for {
		l.mu.Lock()
		if m, ok := l.maps[kind]; ok {
			if name, found := m[id]; found {
				l.mu.Unlock()
				return name, nil
			}
			if refetched {
				m[id] = ""
				l.mu.Unlock()
				return "", nil
			}
		}
		if err, failed := l.failed[kind]; failed {
			delete(l.failed, kind)
			l.mu.Unlock()
			return "", err
		}
		ld, loading := l.loads[kind]
		if !loading {
			ld = l.startLocked(ctx, kind, fetch)
			refetched = true
		}
		l.mu.Unlock()
		select {
		case <-ld.done:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		l.mu.Lock()
		// ld.m is the map later Name calls write misses into: read it
		// under the lock.
		_, found := ld.m[id]
		if ld.err != nil {
			delete(l.failed, kind)
		}
		l.mu.Unlock()
		cancelled := errors.Is(ld.err, context.Canceled) || errors.Is(ld.err, context.DeadlineExceeded)
		if cancelled && ctx.Err() == nil {
			// Someone else's load was cancelled with their command; this
			// one is still wanted.
			continue
		}
		if ld.err != nil {
			return "", ld.err
		}
		if !found && !refetched {
			// The prefetched map predates this ID; fetch once more.
			continue
		}
		refetched = true
	}
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

// Listed records the names a list call returned. A complete list (one
// with no filter) replaces the names of kind; a filtered one is not every
// resource of the kind, so its names are only added to those seen before.
func (n *Names) Listed(kind string, complete bool, names ...string) {
	if complete {
		n.Replace(kind, names...)
	} else {
		n.Remember(kind, names...)
	}
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
