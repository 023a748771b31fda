package llm

import (
	"context"
	"time"
)

// NewWithSleep is New with the retry wait replaced, so tests record the
// waits instead of sleeping, and with the jitter fixed at one half.
func NewWithSleep(cfg Config, sleep func(context.Context, time.Duration) error) (Client, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	c.sleep = sleep
	c.jitter = func() float64 { return 0.5 }
	return c, nil
}
