package blockstorage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/tools"
)

// status is the part of a volume, snapshot or backup a wait reads.
type status struct {
	Status string `json:"status"`
	// FailReason is a backup's explanation of its error status.
	FailReason *string `json:"fail_reason"`
}

// Poll returns what the executor calls while it waits on one block
// storage resource: key is its JSON name ("volume", "snapshot",
// "backup"), whose collection is key+"s". Cinder answers every change
// at once and works afterwards, so only the status says when it is
// done. A backup in error says why (its fail_reason) after the status,
// "error: …", so the step's failure names the cause.
func Poll(key, id string) func(ctx context.Context, env *tools.Env) (string, error) {
	return func(ctx context.Context, env *tools.Env) (string, error) {
		c, err := Client(ctx, env)
		if err != nil {
			return "", err
		}
		return readStatus(ctx, c, key, id)
	}
}

func readStatus(ctx context.Context, c *gophercloud.ServiceClient, key, id string) (string, error) {
	var body map[string]status
	if _, err := c.Get(ctx, c.ServiceURL(key+"s", id), &body, nil); err != nil { //nolint:bodyclose // closed by gophercloud
		if gophercloud.ResponseCodeIs(err, 404) {
			return "", &tools.NotFoundError{Kind: kindOf(key), Name: id}
		}
		return "", err
	}
	s := body[key]
	if strings.HasPrefix(s.Status, "error") && s.FailReason != nil && *s.FailReason != "" {
		return s.Status + ": " + *s.FailReason, nil
	}
	return s.Status, nil
}

// kindOf names a resource key the way findings do.
func kindOf(key string) string {
	if key == "volume" {
		return key
	}
	return "volume " + key
}

// Await is the wait for a change on one volume, snapshot or backup:
// until its status is one of until, failing on fail.
func Await(key, id, name string, until, fail []string) *tools.Await {
	return &tools.Await{Kind: kindOf(key), ID: id, Name: name, Until: until, Fail: fail, Poll: Poll(key, id)}
}

// AwaitGone is the wait for a delete: until the resource is gone.
func AwaitGone(key, id, name string) *tools.Await {
	return &tools.Await{Kind: kindOf(key), ID: id, Name: name, Gone: true, Fail: []string{"error_deleting"}, Poll: Poll(key, id)}
}

// WaitInterval is how often Wait polls. A test sets it to zero.
var WaitInterval = 2 * time.Second

// Wait waits inside a step, for a step that runs two long operations in
// a row (volume.set extends, then retypes): the executor waits only on
// the last. It reports each status through env's progress and gives up
// after timeout.
func Wait(ctx context.Context, env *tools.Env, aw *tools.Await, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		st, err := aw.Poll(ctx, env)
		if err != nil {
			return "", err
		}
		base, _, _ := strings.Cut(st, ":")
		switch {
		case slices.Contains(aw.Until, st):
			return st, nil
		case slices.Contains(aw.Fail, base):
			return st, fmt.Errorf("%s %s went to %s", aw.Kind, aw.Name, st)
		case time.Now().After(deadline):
			return st, fmt.Errorf("%s %s is still %s after %s", aw.Kind, aw.Name, st, timeout)
		}
		env.Report().Status(fmt.Sprintf("%s %s: %s → %s", aw.Kind, aw.Name, st, strings.Join(aw.Until, "/")))
		t := time.NewTimer(WaitInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return st, ctx.Err()
		case <-t.C:
		}
	}
}
