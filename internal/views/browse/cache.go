package browse

import (
	"sync"
	"time"

	"github.com/kriscelmer/os-tui/tools"
)

// Cache keeps the last answer of every list the browser read, so a list
// opened again shows at once and is refreshed behind it. The shell keeps
// one per session (and forgets it when the cloud changes).
type Cache struct {
	mu    sync.Mutex
	lists map[string]cached
}

type cached struct {
	list *tools.List
	at   time.Time
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{lists: map[string]cached{}} }

func (c *Cache) get(key string) (*tools.List, time.Time, bool) {
	if c == nil {
		return nil, time.Time{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.lists[key]
	return e.list, e.at, ok
}

func (c *Cache) put(key string, l *tools.List, at time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lists[key] = cached{list: l, at: at}
}
